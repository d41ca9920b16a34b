package peer

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain also checks for leaks left by tests without their own check
// (the fuzz targets' seed runs, the examples).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
