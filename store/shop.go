package store

import (
	"context"
	"fmt"
	"time"
)

// keyShop holds the shop shipdeck works for, as discovered from TikTok.
const keyShop = "k/shop"

// Shop is the TikTok shop shipdeck works for: the one Get Authorized Shops
// listed (or [shop] shop_id picked), with the cipher every shop-scoped
// call needs, and what TikTok said about the app's authorization.
type Shop struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Region string `json:"region,omitempty"`
	Cipher string `json:"cipher,omitempty"`
	// DiscoveredAt is when the cipher was fetched.
	DiscoveredAt time.Time `json:"discovered_at,omitzero"`
	// DeauthorizedAt is when TikTok reported that the seller removed the
	// app's authorization (SELLER_DEAUTHORIZATION); zero when authorized.
	DeauthorizedAt time.Time `json:"deauthorized_at,omitzero"`
	DeauthMessage  string    `json:"deauth_message,omitempty"`
	// AuthExpiresAt is when the authorization expires, from TikTok's
	// UPCOMING_AUTHORIZATION_EXPIRATION notice; zero when none came.
	AuthExpiresAt time.Time `json:"auth_expires_at,omitzero"`
}

// SetShop stores the shop record.
func (t *Tx) SetShop(s Shop) error {
	if err := t.usable(); err != nil {
		return err
	}
	if err := t.putJSON([]byte(keyShop), s); err != nil {
		return fmt.Errorf("set shop: %w", err)
	}
	t.topics |= TopicCursor
	return nil
}

// Shop returns the stored shop record inside a transaction (zero if none).
func (t *Tx) Shop() (Shop, error) {
	var s Shop
	if _, err := t.getJSON([]byte(keyShop), &s); err != nil {
		return Shop{}, fmt.Errorf("shop: %w", err)
	}
	return s, nil
}

// Shop returns the stored shop record (zero if none).
func (s *Store) Shop(ctx context.Context) (Shop, error) {
	var sh Shop
	if err := s.readJSON(ctx, []byte(keyShop), &sh); err != nil {
		return Shop{}, fmt.Errorf("shop: %w", err)
	}
	return sh, nil
}
