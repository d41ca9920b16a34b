package rlpx

import "fmt"

// WriteRawFrame writes one frame whose frame-data is exactly data: no
// message code is prepended and nothing is compressed, but the header and
// frame MACs are valid. It lets tests outside the package (which may import
// package peer) send the malformed frames a conforming writer never
// produces, such as an empty frame or one whose message code is not a
// canonical RLP integer. It is compiled only into this package's tests.
func (c *Conn) WriteRawFrame(data []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.wr == nil {
		return ErrHandshakeNotDone
	}
	if len(data) > maxFrameSize {
		return fmt.Errorf("%w: %d bytes", ErrMessageTooLarge, len(data))
	}
	w := c.wr
	body := padded16(len(data))
	buf := make([]byte, frameHeadLen+body+macSize)
	hdr := buf[:headerSize]
	hdr[0], hdr[1], hdr[2] = byte(len(data)>>16), byte(len(data)>>8), byte(len(data))
	copy(hdr[3:], zeroHeaderData[:])
	w.stream.XORKeyStream(hdr, hdr)
	copy(buf[headerSize:frameHeadLen], w.mac.header(hdr))
	frame := buf[frameHeadLen : frameHeadLen+body]
	copy(frame, data) // the rest is the zero padding
	w.stream.XORKeyStream(frame, frame)
	copy(buf[frameHeadLen+body:], w.mac.frame(frame))
	_, err := c.conn.Write(buf)
	return err
}
