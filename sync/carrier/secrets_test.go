package carrier

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/shipdeck/shipdeck/sanitize"
)

// leaks reports the longest run of secret (8 bytes or more) that text
// shows once cleaned for a screen, or "".
func leaks(text, secret string) string {
	shown := sanitize.Text(text)
	for n := len(secret); n >= 8; n-- {
		for i := 0; i+n <= len(secret); i++ {
			if strings.Contains(shown, secret[i:i+n]) {
				return secret[i : i+n]
			}
		}
	}
	return ""
}

func TestRedactionSurvivesSplitAndDisguisedTokens(t *testing.T) {
	tok := testToken
	half := len(tok) / 2
	tests := []struct {
		name string
		echo string // the 3PL's message, as it decodes from JSON
	}{
		{"plain", "token " + tok + " is not allowed"},
		{"zero-width space", "token " + tok[:half] + "\u200b" + tok[half:] + " is not allowed"},
		{"zero-width joiners everywhere", "token " + strings.Join(strings.Split(tok, ""), "\u200d")},
		{"soft hyphen and BOM", tok[:3] + "\u00ad" + tok[3:9] + "\ufeff" + tok[9:]},
		{"CSI colour reset", "token " + tok[:half] + "\x1b[0m" + tok[half:]},
		{"OSC title", tok[:half] + "\x1b]0;hi\x07" + tok[half:]},
		{"8-bit CSI", tok[:half] + "\u009b1m" + tok[half:]},
		{"bidi override", "\u202e" + tok[:half] + "\u202c" + tok[half:]},
		{"line break inside", tok[:half] + "\r\n" + tok[half:]},
		{"a long run of it", "prefix " + tok[2:14] + " suffix"},
		{"Bearer header echoed", "got Authorization: Bearer " + tok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"error": map[string]string{"code": "forbidden", "message": tt.echo}})
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) { writeReply(w, 403, nil, string(body)) })
			_, err := newTestREST(t, srv.URL).Push(context.Background(), sampleShipment())
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("push: %v, want a carrier error", err)
			}
			if run := leaks(ce.Reason, tok); run != "" {
				t.Errorf("the failed pane would show %q of the token: reason %q", run, sanitize.Text(ce.Reason))
			}
			if run := leaks(err.Error(), tok); run != "" {
				t.Errorf("the log would show %q of the token: %q", run, sanitize.Line(err.Error()))
			}
			if !strings.Contains(ce.Reason, "[redacted]") {
				t.Errorf("reason %q does not say something was redacted", ce.Reason)
			}
		})
	}
}

func TestRedactionKeepsOrdinaryText(t *testing.T) {
	s := newSecrets(testToken)
	for _, text := range []string{"order 1234 rejected: postal code", "Zoë's address line 2 is too long", "tok-"} {
		if got := s.clean(text); got != sanitize.Text(text) {
			t.Errorf("clean(%q) = %q", text, got)
		}
	}
}
