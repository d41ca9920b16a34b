//go:build !race

package ethcrypto

// raceScale divides the case counts of the randomised differential tests
// (see race_on_test.go).
const raceScale = 1
