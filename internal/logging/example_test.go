package logging_test

import (
	"errors"
	"log/slog"
	"os"

	"github.com/devp2p-go/devp2p/internal/logging"
)

// The root logger's owner gives discovery its own level; each layer logs
// through its own subsystem logger.
func ExampleNewHandler() {
	text := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // stable output
			}
			return a
		},
	})
	root := slog.New(logging.NewHandler(text, logging.Levels{
		Sys: map[string]slog.Leveler{logging.SysDiscover: slog.LevelDebug},
	}))

	disc := logging.For(root, logging.SysDiscover)
	dial := logging.For(root, logging.SysDial)
	disc.Debug("Pong received", logging.Err(nil))
	dial.Debug("Dial started") // dial stays at the text handler's Info
	dial.Info("Dial failed", logging.Err(errors.New("connection refused")))
	// Output:
	// level=DEBUG msg="Pong received" sys=discover
	// level=INFO msg="Dial failed" sys=dial err="connection refused"
}
