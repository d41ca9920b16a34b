package discover

// liveNodes returns the table entries seen live: added or refreshed by
// handleSeen, or answering their last revalidation. discv5's FINDNODE
// answers relay only these, as go-ethereum does, so that a record heard
// from a third party is never passed on before it is proven.
func (t *table) liveNodes() []*Node {
	var out []*Node
	t.do(func() {
		for _, b := range t.buckets {
			for _, e := range b.entries {
				if e.live {
					out = append(out, e.Node)
				}
			}
		}
	})
	return out
}
