// Package dnsdisc reads and publishes node lists in DNS, as specified by
// EIP-1459 (https://eips.ethereum.org/EIPS/eip-1459, and devp2p's
// dnsdisc.md).
//
// # Trees
//
// A list is a Merkle tree of TXT records under one domain. The record at
// the domain itself is the root,
//
//	enrtree-root:v1 e=<hash> l=<hash> seq=<n> sig=<base64url r‖s‖v>
//
// signed with the key named in the list's URL, enrtree://<key>@<domain>.
// Every other record lives at <hash>.<domain>, where hash is the base32 of
// the first 16 bytes of the keccak256 of the record's text: branches
// ("enrtree-branch:<hash>,…"), node records ("enr:…", only under e=) and
// links to other lists ("enrtree://…", only under l=). So the signed root
// vouches for every entry, and each entry is checked against its name
// before it is parsed.
//
// # Reading
//
// A Client fetches entries through a Resolver (net.DefaultResolver unless
// Config says otherwise), caching them and rate-limiting lookups.
// Client.SyncTree reads one whole tree; Client.NewIterator walks any number
// of trees and the trees they link to, yielding their nodes as a
// discover.Iterator for the dial scheduler.
//
// # Publishing
//
// MakeTree builds a tree from nodes and links, Tree.Sign signs it, and
// Tree.TXT, Tree.WriteJSON and Tree.WriteZone write its records, each at
// most MaxRecordSize bytes.
//
// # Limits
//
// Records over 512 bytes, hashes other than 12–32 bytes of upper-case
// base32, roots that are not in canonical form, whose signature fails or
// whose sequence number goes down, entries in the wrong subtree and
// subtrees of more than Config.MaxTreeEntries entries are refused with the
// errors of this package; links nested more than Config.MaxLinkDepth deep,
// and trees beyond 256 per iterator, are not followed.
// Every lookup has a deadline (Config.Timeout).
package dnsdisc
