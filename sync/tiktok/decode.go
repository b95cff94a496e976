package tiktok

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// errBodyTooLarge marks a reply larger than Config.MaxBody.
var errBodyTooLarge = errors.New("response body exceeds the size limit")

// replyMeta is what the client learns from any reply, good or bad.
type replyMeta struct {
	HTTPStatus int
	Code       int
	RequestID  string
	RetryAfter time.Duration
}

// wireEnvelope is Envelope with the code made optional, so a JSON object
// that is not a TikTok envelope at all is told apart from code 0.
type wireEnvelope struct {
	Code      *int            `json:"code"`
	Message   string          `json:"message"`
	RequestID string          `json:"request_id"`
	Data      json.RawMessage `json:"data"`
}

// readLimited reads at most max bytes of r; a longer body is
// errBodyTooLarge rather than a silently truncated one.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, errBodyTooLarge
	}
	return data, nil
}

// decodeReply checks a reply's HTTP status and envelope and decodes its
// data into out (when out is non-nil). readErr is the error reading the
// body, if any. Every failure is an *APIError naming endpoint and request
// id; it never panics, whatever the bytes.
func decodeReply(endpoint string, status int, header http.Header, body []byte, readErr error,
	now time.Time, out any, needData bool) (replyMeta, error) {
	meta := replyMeta{
		HTTPStatus: status,
		RequestID:  cleanText(header.Get("X-Tt-Logid"), 128),
		RetryAfter: parseRetryAfter(header.Get("Retry-After"), now),
	}
	fail := func(class Class, reason, message string, err error) (replyMeta, error) {
		return meta, &APIError{
			Endpoint: endpoint, RequestID: meta.RequestID, HTTPStatus: status, Code: meta.Code,
			Message: cleanText(message, maxMessageLen), Reason: reason, Class: class,
			RetryAfter: meta.RetryAfter, Err: err,
		}
	}

	if readErr != nil {
		switch {
		case status == http.StatusTooManyRequests:
			return fail(ClassRateLimited, reasonRateLimited, "", readErr)
		case errors.Is(readErr, errBodyTooLarge):
			return fail(ClassMalformed, "reply too large", "", readErr)
		default:
			return fail(ClassTransient, "reading the reply failed", "", readErr)
		}
	}

	var env wireEnvelope
	parseErr := json.Unmarshal(body, &env)
	if id := cleanText(env.RequestID, 128); parseErr == nil && id != "" {
		meta.RequestID = id
	}
	hasCode := parseErr == nil && env.Code != nil
	if hasCode {
		meta.Code = *env.Code
	}

	if hasCode && meta.Code != CodeOK {
		class, reason := classifyCode(meta.Code, env.Message, status)
		return fail(class, reason, env.Message, nil)
	}
	if class, reason, bad := classifyStatus(status); bad {
		return fail(class, reason, env.Message, nil)
	}
	if !hasCode {
		return fail(ClassMalformed, describeUnparsed(body, header, parseErr), "", parseErr)
	}
	if out == nil {
		return meta, nil
	}
	if len(env.Data) == 0 || bytes.Equal(env.Data, []byte("null")) {
		if needData {
			return fail(ClassMalformed, "reply has no data", env.Message, nil)
		}
		return meta, nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fail(ClassMalformed, "reply data does not have the expected shape", "", err)
	}
	return meta, nil
}

// describeUnparsed says why a 2xx body is not a TikTok envelope, without
// quoting the body (it could hold anything, tokens included).
func describeUnparsed(body []byte, header http.Header, parseErr error) string {
	trimmed := bytes.TrimSpace(body)
	var syntax *json.SyntaxError
	switch {
	case len(trimmed) == 0:
		return "empty reply"
	case trimmed[0] == '<':
		return fmt.Sprintf("reply is HTML or XML, not JSON (Content-Type %q)",
			cleanText(header.Get("Content-Type"), 64))
	case errors.As(parseErr, &syntax), errors.Is(parseErr, io.ErrUnexpectedEOF):
		return "reply is not valid JSON (truncated or garbled)"
	case parseErr != nil:
		return "reply is not a TikTok envelope (wrong types)"
	default:
		return "reply is not a TikTok envelope (no code field)"
	}
}
