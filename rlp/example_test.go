package rlp_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"

	"github.com/devp2p-go/devp2p/rlp"
)

// Ping is a packet with a forward-compatible tail: newer senders may append
// fields that older receivers keep but do not interpret.
type Ping struct {
	Version    uint
	From       [4]byte
	Expiration uint64
	Rest       []rlp.RawValue `rlp:"tail"`
}

func ExampleEncodeToBytes() {
	p := Ping{Version: 4, From: [4]byte{127, 0, 0, 1}, Expiration: 1700000000}
	b, err := rlp.EncodeToBytes(&p)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", b)

	// Integers have no leading zeros; zero is the empty string.
	b, _ = rlp.EncodeToBytes([]any{uint64(0), uint64(1024), big.NewInt(127), "dog"})
	fmt.Printf("%x\n", b)
	// Output:
	// cb04847f000001846553f100
	// c9808204007f83646f67
}

func ExampleDecodeBytes() {
	// A Ping from a newer peer, with two extra fields.
	input := []byte{0xCE, 0x05, 0x84, 10, 0, 0, 1, 0x84, 0x65, 0x53, 0xF1, 0x00, 0x01, 0xC1, 0x02}
	var p Ping
	if err := rlp.DecodeBytes(input, &p); err != nil {
		panic(err)
	}
	fmt.Println(p.Version, p.From, p.Expiration, len(p.Rest))

	// Non-canonical input is rejected with a typed error naming the field.
	err := rlp.DecodeBytes([]byte{0xC9, 0x82, 0x00, 0x04, 0x84, 10, 0, 0, 1, 0x80}, &p)
	fmt.Println(errors.Is(err, rlp.ErrCanonInt))
	fmt.Println(err)
	// Output:
	// 5 [10 0 0 1] 1700000000 2
	// true
	// rlp: non-canonical integer (leading zero bytes) for uint, decoding into (rlp_test.Ping).Version
}

func ExampleStream() {
	// [ "cat", [1, 2, 3], 2^70 ]
	input, _ := rlp.EncodeToBytes([]any{"cat", []uint{1, 2, 3}, new(big.Int).Lsh(big.NewInt(1), 70)})

	s := rlp.NewStream(bytes.NewReader(input), 0)
	if _, err := s.List(); err != nil {
		panic(err)
	}
	name, _ := s.Bytes()
	fmt.Printf("%s\n", name)

	// Walk the inner list until ErrEOL.
	s.List()
	for {
		x, err := s.Uint64()
		if errors.Is(err, rlp.ErrEOL) {
			break
		} else if err != nil {
			panic(err)
		}
		fmt.Println(x)
	}
	s.ListEnd()

	big, _ := s.BigInt()
	fmt.Println(big)
	fmt.Println(s.ListEnd())
	// Output:
	// cat
	// 1
	// 2
	// 3
	// 1180591620717411303424
	// <nil>
}

// Point encodes itself without reflection.
type Point struct{ X, Y uint64 }

// AppendRLP implements rlp.Encoder.
func (p *Point) AppendRLP(dst []byte) ([]byte, error) {
	dst, mark := rlp.StartList(dst)
	dst = rlp.AppendUint64(dst, p.X)
	dst = rlp.AppendUint64(dst, p.Y)
	return rlp.EndList(dst, mark), nil
}

// DecodeRLP implements rlp.Decoder.
func (p *Point) DecodeRLP(s *rlp.Stream) (err error) {
	if _, err = s.List(); err != nil {
		return err
	}
	if p.X, err = s.Uint64(); err != nil {
		return err
	}
	if p.Y, err = s.Uint64(); err != nil {
		return err
	}
	return s.ListEnd()
}

func ExampleEncoder() {
	b, _ := rlp.EncodeToBytes([]*Point{{1, 2}, {300, 0}})
	fmt.Printf("%x\n", b)

	var ps []Point
	if err := rlp.DecodeBytes(b, &ps); err != nil {
		panic(err)
	}
	fmt.Println(ps)
	// Output:
	// c8c20102c482012c80
	// [{1 2} {300 0}]
}

func ExampleSplitList() {
	b := []byte{0xC4, 0x01, 0x82, 0x04, 0x00}
	content, rest, _ := rlp.SplitList(b)
	n, _ := rlp.CountValues(content)
	first, content, _ := rlp.SplitUint64(content)
	second, _, _ := rlp.SplitUint64(content)
	fmt.Println(n, first, second, len(rest))
	// Output:
	// 2 1 1024 0
}

// A hand-written decoder of [version, [ip, port, ...], expiration, ...]
// reads its fields in order and checks one error at the end. Extra
// elements of the nested list are ignored; those of the outer list are
// kept.
func ExampleListReader() {
	decode := func(b []byte) error {
		r, _ := rlp.NewListReader(b)
		version := r.Uint64("Version")
		r.List("From")
		ip := r.Bytes("IP")
		port := r.Uint16("Port")
		r.End()
		expiration := r.Uint64("Expiration")
		rest := r.Rest()
		if err := r.Err(); err != nil {
			return err
		}
		fmt.Printf("version %d, from %v:%d, expiration %d, %d more\n", version, ip, port, expiration, len(rest))
		return nil
	}

	// [4, [127.0.0.1, 30303, "new"], 1700000000, 9]
	good := []byte{0xD4, 0x04, 0xCC, 0x84, 127, 0, 0, 1, 0x82, 0x76, 0x5F, 0x83, 'n', 'e', 'w', 0x84, 0x65, 0x53, 0xF1, 0x00, 0x09}
	if err := decode(good); err != nil {
		fmt.Println(err)
	}
	// [4, [127.0.0.1]]
	if err := decode([]byte{0xC7, 0x04, 0xC5, 0x84, 127, 0, 0, 1}); err != nil {
		fmt.Println(err)
		fmt.Println(errors.Is(err, rlp.ErrTooFewElements))
	}
	// Output:
	// version 4, from [127 0 0 1]:30303, expiration 1700000000, 1 more
	// rlp: From.Port: input list has too few elements
	// true
}
