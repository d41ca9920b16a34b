// Package enr implements Ethereum Node Records (EIP-778): the signed,
// versioned key/value records that nodes publish about themselves.
//
// # Format
//
// A record is the RLP list [signature, seq, k1, v1, k2, v2, …]. Keys are byte
// strings, sorted and unique; each value is one arbitrary RLP item. The
// encoded record is at most MaxSize (300) bytes. Its text form is "enr:"
// followed by the unpadded base64url encoding of the RLP.
//
// Only the "v4" identity scheme exists: the "secp256k1" key holds the
// 33-byte compressed public key and the signature is the 64-byte r‖s
// signature of keccak256(rlp([seq, k1, v1, …])). Records decoded by this
// package are always verified; a Record that was changed after signing is
// unsigned until SignV4 is called again.
//
// # Usage
//
//	var r enr.Record
//	r.SetIP(netip.MustParseAddr("127.0.0.1"))
//	r.SetUDP(30303)
//	r.SetSeq(1)
//	if err := r.SignV4(key); err != nil { … }
//	text := r.String() // "enr:-IS4Q…"
//
//	r2, err := enr.Parse(text)  // verified
//	ip, ok := r2.IP4()
//
// Standard keys have typed accessors (IP4, IP6, TCP, UDP, TCP6, UDP6,
// IDScheme, Pubkey); any other key is reached through Get/Set (raw RLP) or
// Load/SetValue (any RLP-encodable Go value).
//
// Spec: https://github.com/ethereum/devp2p/blob/master/enr.md
package enr
