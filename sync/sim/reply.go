package sim

import (
	"io"
	"net/http"
	"strconv"
)

// maxRequestBody bounds what a simulated service reads of a request body.
const maxRequestBody = 1 << 20

// readRequestBody reads a request body, at most maxRequestBody bytes of it.
func readRequestBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
}

// writeJSON writes a JSON reply, with a Retry-After of retryAfter seconds
// when it is positive.
func writeJSON(w http.ResponseWriter, status int, body []byte, retryAfter int) {
	w.Header().Set("Content-Type", "application/json")
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	w.WriteHeader(status)
	w.Write(body)
}
