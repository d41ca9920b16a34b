//go:build race

package ethcrypto

// raceScale divides the case counts of the randomised differential tests:
// under the race detector the curve arithmetic (ours and decred's) is ~20×
// slower, and the data-race coverage does not grow with the count.
const raceScale = 10
