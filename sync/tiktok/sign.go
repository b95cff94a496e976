// Package tiktok is shipdeck's TikTok Shop Open API client: request
// signing, the response envelope, error classes, the endpoints the sync
// worker uses and webhook verification. It returns its own types; the sync
// engine maps them onto the store's.
package tiktok

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
)

// Sign computes TikTok's request signature: the path, then every query
// parameter except sign and access_token as key+value in byte order of the
// keys, then the exact body bytes for non-GET non-multipart requests, all
// wrapped in the app secret and HMAC-SHA256'd with it, in lower-case hex.
func Sign(secret, method, path string, query url.Values, body []byte, contentType string) string {
	keys := make([]string, 0, len(query))
	for k := range query {
		if k == "sign" || k == "access_token" || k == "x-tts-access-token" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(secret)
	b.WriteString(path)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteString(strings.Join(query[k], ","))
	}
	if method != "GET" && !strings.HasPrefix(strings.ToLower(contentType), "multipart/form-data") {
		b.Write(body)
	}
	b.WriteString(secret)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(b.String()))
	return hex.EncodeToString(mac.Sum(nil))
}

// WebhookSignature computes the Authorization header TikTok sends with a
// webhook: lower-hex HMAC-SHA256(app_secret, app_key + raw body).
func WebhookSignature(appKey, appSecret string, body []byte) string {
	return hex.EncodeToString(webhookMAC(appKey, appSecret, body))
}

// webhookMAC is the raw HMAC-SHA256(app_secret, app_key + body) that
// WebhookSignature encodes and Verifier compares.
func webhookMAC(appKey, appSecret string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write([]byte(appKey))
	mac.Write(body)
	return mac.Sum(nil)
}
