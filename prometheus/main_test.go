package prometheus

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks the HTTP test servers leave no goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
