package main

import (
	"fmt"
	"io"
	"slices"
)

// printStatus prints the node's Status: what its chain looks like.
func printStatus(w io.Writer, s *session) {
	st := s.theirs
	fmt.Fprintf(w, "version   eth/%d\n", s.version)
	fmt.Fprintf(w, "network   %d\n", st.NetworkID)
	fmt.Fprintf(w, "genesis   0x%x\n", st.Genesis)
	if s.version < 69 {
		fmt.Fprintf(w, "head      0x%x td %v\n", st.Head, st.TD)
	} else {
		fmt.Fprintf(w, "head      0x%x number %d\n", st.LatestBlockHash, st.LatestBlock)
		fmt.Fprintf(w, "history   blocks %d-%d\n", st.EarliestBlock, st.LatestBlock)
	}
	fmt.Fprintf(w, "forkid    0x%x next %d\n", st.ForkID.Hash, st.ForkID.Next)
}

// printCounts prints how many messages of each code arrived and how many
// requests we answered.
func printCounts(w io.Writer, s *session) {
	codes := make([]uint64, 0, len(s.counts))
	for c := range s.counts {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		fmt.Fprintf(w, "received  0x%02x %s %d\n", c, msgName(c), s.counts[c])
	}
	fmt.Fprintf(w, "answered  %d requests\n", s.answered)
}
