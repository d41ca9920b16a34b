// Package interop tests and benchmarks devp2p against go-ethereum, the
// reference peer. It is a separate module so that go-ethereum never becomes a
// dependency of the main module.
package interop
