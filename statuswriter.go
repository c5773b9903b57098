package sentrytask

import (
	"bufio"
	"io"
	"net"
	"net/http"
)

// statusWriter records the status code a handler answers with. It passes
// on Flush, Hijack and ReadFrom, and Unwrap lets http.ResponseController
// reach everything else the underlying writer can do.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	// 1xx responses other than 101 are informational: the final status is
	// still to come.
	if !w.wroteHeader && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.implicitOK()
	return w.ResponseWriter.Write(b)
}

// ReadFrom keeps net/http's sendfile path for io.Copy to the response.
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	w.implicitOK()
	return io.Copy(w.ResponseWriter, r)
}

func (w *statusWriter) Flush() {
	w.implicitOK()
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// implicitOK records the 200 that net/http sends when a handler writes
// before setting a status.
func (w *statusWriter) implicitOK() {
	if !w.wroteHeader {
		w.status, w.wroteHeader = http.StatusOK, true
	}
}

// code is the status the client got: 200 if the handler wrote nothing.
func (w *statusWriter) code() int {
	if !w.wroteHeader {
		return http.StatusOK
	}
	return w.status
}
