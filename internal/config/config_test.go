package config

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var errTest = errors.New("pkg: invalid config")

func TestChecker(t *testing.T) {
	c := NewChecker(errTest)
	NonNegative(c, "A", 0)
	NonNegative(c, "B", time.Second)
	require.NoError(t, c.Err())
	NonNegative(c, "C", -2*time.Second)
	NonNegative(c, "D", -1)
	require.ErrorIs(t, c.Err(), errTest)
	require.EqualError(t, c.Err(), "pkg: invalid config: C is negative (-2s)", "only the first failure is kept")
}

func TestDefault(t *testing.T) {
	a, b := 0, 7
	Default(&a, 5)
	Default(&b, 5)
	require.Equal(t, 5, a)
	require.Equal(t, 7, b)
}

func TestRandDiffers(t *testing.T) {
	require.NotEqual(t, Rand().Uint64(), Rand().Uint64())
}
