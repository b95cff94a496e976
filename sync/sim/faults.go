package sim

import (
	"net"
	"net/http"
	"strconv"
	gosync "sync"
	"time"
)

// FaultKind is a way a reply can go wrong.
type FaultKind string

// Fault kinds. Timeout holds the request until the client gives up (or the
// simulator closes); Reset drops the connection with a TCP RST; Truncated
// promises a longer body than it sends; Garbage is a 200 that is not JSON;
// HTML is a proxy's error page.
const (
	FaultServerError FaultKind = "server_error" // 500 with the service's error body
	FaultUnavailable FaultKind = "unavailable"  // 503, plain text
	FaultGarbage     FaultKind = "garbage"
	FaultTruncated   FaultKind = "truncated"
	FaultHTML        FaultKind = "html"
	FaultTimeout     FaultKind = "timeout"
	FaultReset       FaultKind = "reset"
	FaultRateLimited FaultKind = "rate_limited" // 429 with Retry-After
)

// Fault is an injected failure for the next Count calls (1 when Count ≤ 0)
// to Endpoint ("" for any). Marketplace endpoints are the Endpoint*
// constants; carrier operations are "create", "get", "lookup" and
// "cancel". With AfterEffect the call takes effect first and only its reply
// fails: the case a client must resolve without resending blindly.
type Fault struct {
	Kind        FaultKind
	Count       int
	Endpoint    string
	AfterEffect bool
}

// faultQueue hands out injected faults in the order they were added.
type faultQueue struct {
	mu    gosync.Mutex
	items []Fault
}

func (q *faultQueue) add(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append(q.items, f)
}

func (q *faultQueue) take(endpoint string, after bool) (FaultKind, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i := range q.items {
		f := &q.items[i]
		if f.AfterEffect != after || (f.Endpoint != "" && f.Endpoint != endpoint) {
			continue
		}
		kind := f.Kind
		f.Count--
		if f.Count <= 0 {
			q.items = append(q.items[:i], q.items[i+1:]...)
		}
		return kind, true
	}
	return "", false
}

func (q *faultQueue) clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = nil
}

// maxHold bounds how long a Timeout fault keeps a request open when the
// client never gives up.
const maxHold = 2 * time.Minute

// faultReply describes how a service words its own failures.
type faultReply struct {
	errorBody   []byte // a 500's body in the service's error shape
	tooMany     []byte // a 429's body
	contentType string
	body        []byte // the real reply, for truncation after the effect
	retryAfter  int
}

// writeFault renders kind on w. done is closed when the simulator stops.
func writeFault(w http.ResponseWriter, r *http.Request, kind FaultKind, fr faultReply, done <-chan struct{}) {
	switch kind {
	case FaultServerError:
		w.Header().Set("Content-Type", fr.contentType)
		w.WriteHeader(http.StatusInternalServerError)
		w.Write(fr.errorBody)
	case FaultUnavailable:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("Service Unavailable\n"))
	case FaultGarbage:
		w.Header().Set("Content-Type", fr.contentType)
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("\x00\x1f\x8b\x08garbage{{{\"code\":0,,]\xff\xfe"))
	case FaultTruncated:
		body := fr.body
		if len(body) == 0 {
			body = fr.errorBody
		}
		w.Header().Set("Content-Type", fr.contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler) // close the connection short of Content-Length
	case FaultHTML:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"))
	case FaultTimeout:
		t := time.NewTimer(maxHold)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-done:
		case <-t.C:
		}
		panic(http.ErrAbortHandler)
	case FaultReset:
		resetConn(w)
	case FaultRateLimited:
		ra := fr.retryAfter
		if ra <= 0 {
			ra = 1
		}
		w.Header().Set("Content-Type", fr.contentType)
		w.Header().Set("Retry-After", strconv.Itoa(ra))
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write(fr.tooMany)
	}
}

// resetConn drops the client's connection with a TCP RST and no reply.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	conn.Close()
}
