package peer

import (
	"bytes"
	"errors"
	"testing"
	"testing/iotest"
)

type writerFunc func(Msg) error

func (f writerFunc) WriteMsg(m Msg) error { return f(m) }

func TestSendAndDecode(t *testing.T) {
	var sent Msg
	w := writerFunc(func(m Msg) error { sent = m; return nil })
	if err := SendItems(w, 3, "a", uint64(7), []byte{1, 2}); err != nil {
		t.Fatal(err)
	}
	if sent.Code != 3 || sent.Size != 6 { // c5 61 07 820102
		t.Fatalf("sent %v", sent)
	}
	var got struct {
		S string
		N uint64
		B []byte
	}
	if err := sent.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.S != "a" || got.N != 7 || !bytes.Equal(got.B, []byte{1, 2}) {
		t.Errorf("decoded %+v", got)
	}
}

func TestMsgDecode(t *testing.T) {
	tests := []struct {
		name    string
		msg     Msg
		wantErr bool
	}{
		{"ours", NewMsg(1, []byte{0x83, 'a', 'b', 'c'}), false},
		{"foreign reader", Msg{Code: 1, Size: 4, Payload: bytes.NewReader([]byte{0x83, 'a', 'b', 'c'})}, false},
		{"one byte at a time", Msg{Code: 1, Size: 4, Payload: iotest.OneByteReader(bytes.NewReader([]byte{0x83, 'a', 'b', 'c'}))}, false},
		{"trailing bytes", NewMsg(1, []byte{0x83, 'a', 'b', 'c', 0x01}), true},
		{"truncated", NewMsg(1, []byte{0x83, 'a'}), true},
		{"wrong kind", NewMsg(1, []byte{0xc0}), true},
		{"short foreign reader", Msg{Code: 1, Size: 10, Payload: bytes.NewReader([]byte{0x83, 'a', 'b', 'c'})}, true},
		{"huge size", Msg{Code: 1, Size: 1 << 30, Payload: bytes.NewReader(nil)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s string
			err := tt.msg.Decode(&s)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Decode: %v, want error %v", err, tt.wantErr)
			}
			if err == nil && s != "abc" {
				t.Errorf("decoded %q", s)
			}
		})
	}
}

func TestMsgBytesAndDiscard(t *testing.T) {
	data := []byte{1, 2, 3}
	m := NewMsg(0, data)
	b, err := m.Bytes()
	if err != nil || &b[0] != &data[0] {
		t.Errorf("Bytes copied or failed: %v", err)
	}
	if b, _ := m.Bytes(); len(b) != 0 {
		t.Errorf("second Bytes returned %x", b)
	}
	foreign := Msg{Size: 3, Payload: bytes.NewReader(data)}
	if b, err := foreign.Bytes(); err != nil || !bytes.Equal(b, data) {
		t.Errorf("foreign Bytes: %x %v", b, err)
	}
	if err := NewMsg(0, data).Discard(); err != nil {
		t.Error(err)
	}
	if err := (Msg{Size: 3, Payload: bytes.NewReader(data)}).Discard(); err != nil {
		t.Error(err)
	}
	if _, err := (Msg{Size: 3, Payload: iotest.ErrReader(errors.New("x"))}).Bytes(); err == nil {
		t.Error("Bytes of a failing reader succeeded")
	}
}
