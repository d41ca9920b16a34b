// Package doccheck holds a test that keeps the module's public API
// documented: every exported field of an exported struct type in a public
// package has a doc comment. It has no code of its own.
package doccheck
