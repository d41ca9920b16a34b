// Command lines is the program progtest's own tests run: it writes
// "started" to standard error and its arguments to standard output, one a
// line; then it exits with the status of -exit or, without it, waits for
// SIGINT and exits with the status of -onint.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	exit := flag.Int("exit", -1, "exit with this status after printing, instead of waiting for SIGINT")
	onint := flag.Int("onint", 0, "exit with this status on SIGINT")
	flag.Parse()
	// Catch SIGINT before printing: the test may send it as soon as it
	// has read a line.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	fmt.Fprintln(os.Stderr, "started")
	for _, a := range flag.Args() {
		fmt.Println(a)
	}
	if *exit >= 0 {
		os.Exit(*exit)
	}
	<-sig
	os.Exit(*onint)
}
