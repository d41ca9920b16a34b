package rlpx

// The frame layer of rlpx.md "Framing":
//
//	frame  = header-ct(16) ‖ header-mac(16) ‖ frame-ct(pad16(frame-size)) ‖ frame-mac(16)
//	header = frame-size(3, BE) ‖ header-data ‖ zero padding to 16
//
// frameWriter and frameReader hold one direction each; they are not safe
// for concurrent use (Conn serialises each with its own mutex).

import (
	"crypto/cipher"
	"crypto/hmac"
	"errors"
	"fmt"
	"io"

	"github.com/devp2p-go/devp2p/rlp"
)

const (
	headerSize   = 16
	frameHeadLen = headerSize + macSize // header ciphertext and header MAC
	maxFrameSize = 1<<24 - 1            // the 24-bit frame-size field
	minReadBuf   = 4096                 // initial read buffer and minimum read size

	// maxRetainedBuf is the largest buffer kept between messages. Larger
	// ones (for rare big messages) are dropped once used: a write's right
	// after it, a read's when the next ReadMsg starts, so an idle
	// connection never pins up to 16 MiB per direction.
	maxRetainedBuf = 1 << 20
)

// zeroHeaderData is header-data = rlp([capability-id=0, context-id=0]), as
// every current implementation sends. Readers ignore header-data.
var zeroHeaderData = [3]byte{0xc2, 0x80, 0x80}

// errUnexpectedEOF marks a connection closed in the middle of a frame.
var errUnexpectedEOF = io.ErrUnexpectedEOF

func padded16(n int) int { return (n + 15) &^ 15 }

// frameWriter seals frames for one direction. buf is reused for every
// frame, so a steady-state write allocates nothing.
type frameWriter struct {
	stream cipher.Stream // AES-256-CTR, zero IV, continuous across frames
	mac    hashMAC       // egress MAC
	buf    []byte
	code   [9]byte // scratch for the encoded message code
}

// seal encodes code ‖ payload into one complete frame and returns it. The
// result aliases w.buf and is valid until the next call.
func (w *frameWriter) seal(code uint64, payload []byte) ([]byte, error) {
	codeEnc := rlp.AppendUint64(w.code[:0], code)
	fsize := len(codeEnc) + len(payload)
	if fsize > maxFrameSize {
		return nil, fmt.Errorf("%w: frame of %d bytes exceeds %d", ErrMessageTooLarge, fsize, maxFrameSize)
	}
	body := padded16(fsize)
	total := frameHeadLen + body + macSize
	if cap(w.buf) < total {
		w.buf = make([]byte, total)
	}
	buf := w.buf[:total]

	hdr := buf[:headerSize]
	hdr[0], hdr[1], hdr[2] = byte(fsize>>16), byte(fsize>>8), byte(fsize)
	copy(hdr[3:], zeroHeaderData[:])
	clear(hdr[3+len(zeroHeaderData):])
	w.stream.XORKeyStream(hdr, hdr)
	copy(buf[headerSize:frameHeadLen], w.mac.header(hdr))

	// Encrypt straight from the caller's payload into the frame: no copy.
	frame := buf[frameHeadLen : frameHeadLen+body]
	w.stream.XORKeyStream(frame[:len(codeEnc)], codeEnc)
	w.stream.XORKeyStream(frame[len(codeEnc):fsize], payload)
	if pad := frame[fsize:]; len(pad) > 0 {
		clear(pad)
		w.stream.XORKeyStream(pad, pad)
	}
	copy(buf[frameHeadLen+body:], w.mac.frame(frame))
	return buf, nil
}

// frameReader opens frames for one direction. It reads ahead into buf;
// data between r and w is received but not yet consumed.
type frameReader struct {
	stream  cipher.Stream // AES-256-CTR, zero IV, continuous across frames
	mac     hashMAC       // ingress MAC
	maxSize int           // largest frame-size accepted

	buf  []byte
	r, w int
}

// readFrame reads, authenticates and decrypts one frame and returns its
// frame-data (message code ‖ payload) and the frame's size on the wire.
// The MACs are checked before anything is decrypted. The result aliases the
// read buffer and is valid until the next call.
func (fr *frameReader) readFrame(src io.Reader) (frameData []byte, wireSize int, err error) {
	if err := fr.fill(src, frameHeadLen); err != nil {
		return nil, 0, err
	}
	head := fr.buf[fr.r : fr.r+frameHeadLen]
	if !hmac.Equal(fr.mac.header(head[:headerSize]), head[headerSize:]) {
		return nil, 0, fmt.Errorf("%w: header", ErrInvalidMAC)
	}
	fr.stream.XORKeyStream(head[:headerSize], head[:headerSize])
	fsize := int(head[0])<<16 | int(head[1])<<8 | int(head[2])
	fr.r += frameHeadLen
	if fsize > fr.maxSize {
		return nil, 0, fmt.Errorf("%w: frame of %d bytes exceeds limit %d", ErrMessageTooLarge, fsize, fr.maxSize)
	}

	body := padded16(fsize)
	if err := fr.fill(src, body+macSize); err != nil {
		if errors.Is(err, io.EOF) {
			err = errUnexpectedEOF
		}
		return nil, 0, err
	}
	frame := fr.buf[fr.r : fr.r+body]
	if !hmac.Equal(fr.mac.frame(frame), fr.buf[fr.r+body:fr.r+body+macSize]) {
		return nil, 0, fmt.Errorf("%w: frame", ErrInvalidMAC)
	}
	fr.stream.XORKeyStream(frame, frame)
	fr.r += body + macSize
	return frame[:fsize], frameHeadLen + body + macSize, nil
}

// fill makes sure at least n unconsumed bytes are buffered, reading as much
// as the buffer has room for in each call to src.Read. The buffer grows as
// data arrives, at most doubling at a time, never straight to n: a peer that
// announces a big frame holds only as much of our memory as it has sent. It
// may move buffered data, which invalidates slices returned earlier. io.EOF
// is returned only if the stream ends before the first byte of what was
// asked for.
func (fr *frameReader) fill(src io.Reader, n int) error {
	if fr.r == fr.w {
		fr.r, fr.w = 0, 0
	}
	for fr.w-fr.r < n {
		if fr.w == len(fr.buf) {
			fr.makeRoom(n)
		}
		m, err := src.Read(fr.buf[fr.w:])
		fr.w += m
		if err != nil {
			if fr.w-fr.r >= n {
				return nil
			}
			if errors.Is(err, io.EOF) && fr.w > fr.r {
				return errUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// makeRoom makes space after w, for a caller that needs n unconsumed bytes
// and has fewer: it moves the unconsumed bytes to the front, and grows the
// buffer if they fill it.
func (fr *frameReader) makeRoom(n int) {
	have := fr.w - fr.r
	if have < len(fr.buf) {
		copy(fr.buf, fr.buf[fr.r:fr.w])
		fr.r, fr.w = 0, have
		return
	}
	nb := make([]byte, min(max(2*len(fr.buf), minReadBuf), n+minReadBuf))
	copy(nb, fr.buf[fr.r:fr.w])
	fr.buf, fr.r, fr.w = nb, 0, have
}

// release replaces a buffer grown past maxRetainedBuf by one just big
// enough for the unconsumed bytes (read ahead of the next frame), so that
// a connection waiting for its next frame does not pin the memory of a big
// one. It invalidates slices returned earlier.
func (fr *frameReader) release() {
	if len(fr.buf) <= maxRetainedBuf {
		return
	}
	have := fr.w - fr.r
	var nb []byte
	if have > 0 {
		nb = make([]byte, max(have, minReadBuf))
		copy(nb, fr.buf[fr.r:fr.w])
	}
	fr.buf, fr.r, fr.w = nb, 0, have
}

// splitCode decodes the RLP message code at the start of frame-data and
// returns it with the rest. Only canonical encodings of a uint64 pass.
func splitCode(data []byte) (code uint64, rest []byte, err error) {
	if len(data) == 0 {
		return 0, nil, fmt.Errorf("%w: empty frame", ErrInvalidFrame)
	}
	code, rest, err = rlp.SplitUint64(data)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: message code: %w", ErrInvalidFrame, err)
	}
	return code, rest, nil
}
