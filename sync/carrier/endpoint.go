package carrier

import (
	"fmt"
	"net/url"
	"strings"
)

// parseEndpoint checks a configured base URL and returns it without a
// trailing slash, so paths can be appended. Credentials in the URL are
// refused: the URL appears in transport errors, and each adapter has its
// own secret settings.
func parseEndpoint(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("endpoint is not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("endpoint must be an http or https URL")
	}
	if u.Host == "" {
		return "", fmt.Errorf("endpoint has no host")
	}
	if u.User != nil {
		return "", fmt.Errorf("endpoint must not carry credentials; use the token or key settings")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("endpoint must not have a query or fragment")
	}
	return strings.TrimRight(raw, "/"), nil
}
