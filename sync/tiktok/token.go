package tiktok

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

const refreshPath = "/api/v2/token/refresh"

// RefreshToken exchanges the refresh token for new tokens, stores them in
// the client and reports them through OnToken. A refusal (bad or expired
// refresh token) is ClassNeedsHuman: the seller must authorize the app
// again.
func (c *Client) RefreshToken(ctx context.Context) (TokenData, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	return c.refreshLocked(ctx)
}

// refreshAfterExpiry refreshes unless another call already replaced the
// stale access token while this one waited for the lock.
func (c *Client) refreshAfterExpiry(ctx context.Context, stale string) error {
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	if access, _ := c.tokens(); access != stale {
		return nil
	}
	_, err := c.refreshLocked(ctx)
	return err
}

// refreshLocked calls the token host. The call is an unsigned GET with the
// app secret and refresh token in the query, so its URL is never logged
// or put into an error. The caller holds refreshMu.
func (c *Client) refreshLocked(ctx context.Context) (TokenData, error) {
	_, refresh := c.tokens()
	if refresh == "" {
		return TokenData{}, &APIError{Endpoint: EndpointRefreshToken, Class: ClassNeedsHuman,
			Reason: "no refresh token configured; the seller must authorize the app again"}
	}
	q := url.Values{
		"app_key":       {c.appKey},
		"app_secret":    {c.appSecret},
		"refresh_token": {refresh},
		"grant_type":    {"refresh_token"},
	}
	header := make(http.Header, 1)
	header.Set("Content-Type", contentTypeJSON)
	call := Call{Endpoint: EndpointRefreshToken, Method: http.MethodGet, Path: refreshPath, Kind: KindFrom(ctx), Attempt: 1}

	var td TokenData
	meta, err := c.roundTrip(ctx, call, c.authBaseURL+refreshPath+"?"+q.Encode(), nil, header, &td, true)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && (ae.Class == ClassBadRequest || ae.Class == ClassTokenExpired) {
			refused := *ae
			refused.Class = ClassNeedsHuman
			refused.Reason = "TikTok refused the refresh token; the seller must authorize the app again"
			return TokenData{}, &refused
		}
		return TokenData{}, err
	}
	if td.AccessToken == "" || td.RefreshToken == "" {
		return TokenData{}, &APIError{Endpoint: EndpointRefreshToken, RequestID: meta.RequestID,
			HTTPStatus: meta.HTTPStatus, Class: ClassMalformed, Reason: "token reply lacks access_token or refresh_token"}
	}
	c.SetTokens(td.AccessToken, td.RefreshToken)
	if c.onToken != nil {
		c.onToken(td)
	}
	return td, nil
}
