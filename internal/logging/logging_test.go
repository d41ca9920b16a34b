package logging

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// newRoot returns a root logger writing text lines at level base through a
// NewHandler with lv, and the buffer it writes to.
func newRoot(base slog.Level, lv Levels) (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	text := slog.NewTextHandler(&buf, &slog.HandlerOptions{
		Level: base,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})
	return slog.New(NewHandler(text, lv)), &buf
}

func TestLevelsPerSubsystem(t *testing.T) {
	discover := new(slog.LevelVar)
	discover.Set(slog.LevelDebug)
	lv := Levels{Sys: map[string]slog.Leveler{
		SysDiscover: discover,
		SysDial:     slog.LevelWarn,
	}}
	tests := []struct {
		name  string
		sys   string // "" for the root logger
		level slog.Level
		want  bool
	}{
		{"discover debug, below the base level", SysDiscover, slog.LevelDebug, true},
		{"dial info, below its own level", SysDial, slog.LevelInfo, false},
		{"dial warn", SysDial, slog.LevelWarn, true},
		{"server info, no own level: the base's", SysServer, slog.LevelInfo, true},
		{"server debug, no own level: the base's", SysServer, slog.LevelDebug, false},
		{"root debug", "", slog.LevelDebug, false},
		{"root error", "", slog.LevelError, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, buf := newRoot(slog.LevelInfo, lv)
			l := root
			if tt.sys != "" {
				l = For(root, tt.sys)
			}
			l.Log(t.Context(), tt.level, "hello")
			if !tt.want {
				require.Empty(t, buf.String())
				return
			}
			want := "level=" + tt.level.String() + " msg=hello"
			if tt.sys != "" {
				want += " sys=" + tt.sys
			}
			require.Equal(t, want+"\n", buf.String())
		})
	}
}

func TestLevelChangesAtRuntime(t *testing.T) {
	v := new(slog.LevelVar) // Info
	root, buf := newRoot(slog.LevelInfo, Levels{Sys: map[string]slog.Leveler{SysPeer: v}})
	l := For(root, SysPeer)
	l.Debug("before")
	v.Set(slog.LevelDebug)
	l.Debug("after")
	require.Equal(t, "level=DEBUG msg=after sys=peer\n", buf.String())
}

func TestDefaultLevel(t *testing.T) {
	root, buf := newRoot(slog.LevelDebug, Levels{
		Default: slog.LevelWarn,
		Sys:     map[string]slog.Leveler{SysNAT: slog.LevelInfo},
	})
	root.Info("root info")
	For(root, SysServer).Info("server info")
	For(root, SysNAT).Info("nat info")
	root.Warn("root warn")
	require.Equal(t, "level=INFO msg=\"nat info\" sys=nat\nlevel=WARN msg=\"root warn\"\n", buf.String())
}

func TestSysInsideGroupIgnored(t *testing.T) {
	root, buf := newRoot(slog.LevelInfo, Levels{Sys: map[string]slog.Leveler{SysDial: slog.LevelDebug}})
	root.WithGroup("req").With(Key, SysDial).Debug("grouped")
	require.Empty(t, buf.String(), `a "sys" inside a group names no subsystem`)
	root.WithGroup("").With(Key, SysDial).Debug("empty group")
	require.Contains(t, buf.String(), "empty group", "an empty group is no group")
}

func TestLevelsMapCopied(t *testing.T) {
	m := map[string]slog.Leveler{SysDial: slog.LevelDebug}
	root, buf := newRoot(slog.LevelInfo, Levels{Sys: m})
	m[SysDial] = slog.LevelError
	For(root, SysDial).Debug("still debug")
	require.Contains(t, buf.String(), "still debug")
}

func TestErr(t *testing.T) {
	root, buf := newRoot(slog.LevelInfo, Levels{})
	root.Info("ok", Err(nil))
	root.Info("failed", Err(errors.New("boom")))
	require.Equal(t, "level=INFO msg=ok\nlevel=INFO msg=failed err=boom\n", buf.String())
	require.NotContains(t, buf.String(), "<nil>")

	// Also with the JSON handler.
	var jb bytes.Buffer
	slog.New(slog.NewJSONHandler(&jb, nil)).Info("ok", Err(nil))
	require.False(t, strings.Contains(jb.String(), `"err"`), jb.String())
}

func TestForNil(t *testing.T) {
	l := For(nil, SysDial)
	require.NotNil(t, l)
	require.False(t, l.Enabled(t.Context(), slog.LevelError))
	l.Error("dropped") // no panic
}
