package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// SignatureHeader carries the webhook body's HMAC-SHA256, hex, as
// "sha256=<hex>" (the form GitHub and Stripe receivers already verify).
const SignatureHeader = "X-Shipdeck-Signature"

// Sign returns the SignatureHeader value for body.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Webhook posts each message as JSON, signed with the secret.
type Webhook struct {
	URL    string
	Secret []byte
	Client *http.Client
}

// Name is "webhook".
func (w *Webhook) Name() string { return "webhook" }

// Send posts msg as JSON with its signature and delivery id.
func (w *Webhook) Send(ctx context.Context, msg Message) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return &PermanentError{fmt.Errorf("alert webhook: encode: %w", err)}
	}
	return post(ctx, w.Client, w.URL, "alert webhook", body, func(h http.Header) {
		h.Set(SignatureHeader, Sign(w.Secret, body))
		h.Set("X-Shipdeck-Delivery", msg.ID)
	})
}

// Slack posts each message to a Slack-compatible incoming webhook
// ({"text": ...}; Mattermost and Rocket.Chat accept the same).
type Slack struct {
	URL    string
	Client *http.Client
}

// Name is "slack".
func (s *Slack) Name() string { return "slack" }

// Send posts msg as the text of a Slack message.
func (s *Slack) Send(ctx context.Context, msg Message) error {
	body, err := json.Marshal(map[string]string{"text": msg.Text()})
	if err != nil {
		return &PermanentError{fmt.Errorf("slack: encode: %w", err)}
	}
	// The URL is itself the secret: errors name the channel, never the URL.
	return post(ctx, s.Client, s.URL, "slack", body, nil)
}

// post sends body; a 4xx other than 408 and 429 is permanent.
func post(ctx context.Context, c *http.Client, url, what string, body []byte, header func(http.Header)) error {
	if c == nil {
		c = &http.Client{Timeout: 15 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return &PermanentError{fmt.Errorf("%s: bad URL", what)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "shipdeck-alerts")
	if header != nil {
		header(req.Header)
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", what, stripURL(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	switch {
	case resp.StatusCode/100 == 2:
		return nil
	case resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusRequestTimeout:
		return &PermanentError{fmt.Errorf("%s: refused with HTTP %d", what, resp.StatusCode)}
	}
	return fmt.Errorf("%s: HTTP %d", what, resp.StatusCode)
}

// stripURL drops the URL from a client error: a Slack URL is a secret.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Email sends each message over SMTP (STARTTLS when the server offers it;
// PLAIN auth only over TLS or to localhost, as net/smtp enforces).
type Email struct {
	// Addr is host:port.
	Addr     string
	From     string
	To       []string
	Username string
	Password string
}

// Name is "email".
func (e *Email) Name() string { return "email" }

// Send mails msg as plain text.
func (e *Email) Send(ctx context.Context, msg Message) error {
	host, _, err := net.SplitHostPort(e.Addr)
	if err != nil {
		return &PermanentError{fmt.Errorf("email: address %q: %w", e.Addr, err)}
	}
	var auth smtp.Auth
	if e.Username != "" {
		auth = smtp.PlainAuth("", e.Username, e.Password, host)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@shipdeck>\r\nDate: %s\r\n",
		e.From, strings.Join(e.To, ", "), headerSafe(msg.Title()), headerSafe(msg.ID), msg.At.UTC().Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(msg.Text(), "\n", "\r\n"))
	if err := e.send(ctx, host, auth, []byte(b.String())); err != nil {
		return fmt.Errorf("email via %s: %w", e.Addr, err)
	}
	return nil
}

// send runs one SMTP conversation, bounded by ctx and 30 seconds.
func (e *Email) send(ctx context.Context, host string, auth smtp.Auth, body []byte) error {
	d := net.Dialer{Timeout: 15 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", e.Addr)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		_ = conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello("shipdeck"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return err
		}
	}
	if auth != nil {
		if err := c.Auth(auth); err != nil {
			return &PermanentError{err}
		}
	}
	if err := c.Mail(e.From); err != nil {
		return err
	}
	for _, to := range e.To {
		if err := c.Rcpt(to); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(body); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// headerSafe keeps a header value on one line.
func headerSafe(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}
