package server

import (
	"log/slog"

	"github.com/devp2p-go/devp2p/internal/logging"
)

// rootLogger returns the logger every layer of the node derives its own
// from (logging.For adds its "sys" attribute): Config.Logger, with
// Config.LogLevels applied to its handler when set.
func (cfg *Config) rootLogger() *slog.Logger {
	if cfg.Logger == nil || len(cfg.LogLevels) == 0 {
		return cfg.Logger
	}
	return slog.New(logging.NewHandler(cfg.Logger.Handler(), logging.Levels{Sys: cfg.LogLevels}))
}
