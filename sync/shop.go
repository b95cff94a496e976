package sync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	gosync "sync"

	"github.com/shipdeck/shipdeck/sanitize"
	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// ErrShopChoice is returned (wrapped in a *ShopError) when shipdeck cannot
// tell which shop to work for, or TikTok keeps refusing its cipher.
var ErrShopChoice = errors.New("shop")

// ShopError says why no shop cipher could be settled on, listing the
// shops that authorized the app so the operator can pick one.
type ShopError struct {
	Reason string
	Shops  []tiktok.Shop
	Err    error
}

// Error names the reason and each authorized shop's id, name and region.
func (e *ShopError) Error() string {
	var b strings.Builder
	b.WriteString(e.Reason)
	if len(e.Shops) > 0 {
		b.WriteString(": ")
		for i, s := range e.Shops {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%s (%s, %s)", sanitize.Line(s.ID), sanitize.Line(s.Name), sanitize.Line(s.Region))
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap lets errors.Is find ErrShopChoice and the cause.
func (e *ShopError) Unwrap() []error { return []error{ErrShopChoice, e.Err} }

// shopCipher settles which shop shipdeck works for. A configured
// shop_cipher is used as is; otherwise the stored one, else Get Authorized
// Shops picks it (the only shop, or the one [shop] shop_id names) and the
// store keeps it. A shop-scoped call refused for its cipher triggers one
// fresh discovery and one retry.
type shopCipher struct {
	mu         gosync.Mutex
	configured bool
	cipher     string
}

// ensureShop makes sure the client has a cipher, discovering one when none
// is configured or stored.
func (e *Engine) ensureShop(ctx context.Context) (string, error) {
	e.shop.mu.Lock()
	defer e.shop.mu.Unlock()
	if e.shop.cipher != "" {
		return e.shop.cipher, nil
	}
	sh, err := e.st.Shop(ctx)
	if err != nil {
		return "", err
	}
	if sh.Cipher != "" && (e.cfg.ShopID == "" || sh.ID == e.cfg.ShopID) {
		e.shop.cipher = sh.Cipher
		e.mp.SetShopCipher(sh.Cipher)
		return sh.Cipher, nil
	}
	return e.discoverLocked(ctx)
}

// rediscover fetches the authorized shops again after TikTok refused
// cipher, unless another call already replaced it; it returns the cipher
// to retry with.
func (e *Engine) rediscover(ctx context.Context, refused string) (string, error) {
	e.shop.mu.Lock()
	defer e.shop.mu.Unlock()
	if e.shop.cipher != refused && e.shop.cipher != "" {
		return e.shop.cipher, nil
	}
	if e.shop.configured {
		return "", &ShopError{Reason: "TikTok refuses the configured [shop] shop_cipher; remove it to let shipdeck fetch the shop's cipher, or correct it"}
	}
	return e.discoverLocked(ctx)
}

// discoverLocked calls Get Authorized Shops and picks the shop. The
// caller holds e.shop.mu.
func (e *Engine) discoverLocked(ctx context.Context) (string, error) {
	shops, err := e.mp.Shops(tiktok.WithKind(ctx, string(store.CallOther)))
	if err = e.observe(err); err != nil {
		return "", fmt.Errorf("fetch the shops that authorized this app: %w", err)
	}
	pick, err := PickShop(shops, e.cfg.ShopID)
	if err != nil {
		return "", err
	}
	now := e.now()
	err = e.st.Update(ctx, func(tx *store.Tx) error {
		cur, err := tx.Shop()
		if err != nil {
			return err
		}
		if cur.ID != pick.ID {
			cur = store.Shop{}
		}
		cur.ID, cur.Name, cur.Region, cur.Cipher, cur.DiscoveredAt = pick.ID, pick.Name, pick.Region, pick.Cipher, now
		return tx.SetShop(cur)
	})
	if err != nil {
		return "", fmt.Errorf("keep the shop cipher: %w", err)
	}
	e.shop.cipher = pick.Cipher
	e.mp.SetShopCipher(pick.Cipher)
	e.log.Info("shop discovered", "shop_id", pick.ID, "name", sanitize.Line(pick.Name), "region", pick.Region)
	return pick.Cipher, nil
}

// PickShop chooses the shop from Get Authorized Shops: the one shopID
// names, else the only one. No shop, several without a shop_id, or a
// shop_id not in the list is a *ShopError listing the shops.
func PickShop(shops []tiktok.Shop, shopID string) (tiktok.Shop, error) {
	if shopID != "" {
		for _, s := range shops {
			if s.ID == shopID {
				return s, nil
			}
		}
		return tiktok.Shop{}, &ShopError{Shops: shops,
			Reason: fmt.Sprintf("[shop] shop_id %s is not among the shops that authorized this app", sanitize.Line(shopID))}
	}
	switch len(shops) {
	case 0:
		return tiktok.Shop{}, &ShopError{Reason: "no shop has authorized this app: the seller must authorize it in TikTok Shop Seller Center"}
	case 1:
		return shops[0], nil
	}
	return tiktok.Shop{}, &ShopError{Shops: shops,
		Reason: fmt.Sprintf("%d shops authorized this app; set [shop] shop_id to one of them", len(shops))}
}

// scoped runs a shop-scoped TikTok call: not while a rate limit holds
// calls, with the shop's cipher, noting a 429's wait. When TikTok refuses
// the cipher, it fetches the authorized shops once and retries once; a
// second refusal is a clear error.
func (e *Engine) scoped(ctx context.Context, call func() error) error {
	if left := e.RateLimitedFor(); left > 0 {
		return heldError(left)
	}
	cipher, err := e.ensureShop(ctx)
	if err != nil {
		return err
	}
	err = e.observe(call())
	if tiktok.ClassOf(err) != tiktok.ClassShopCipher {
		return err
	}
	e.log.Warn("TikTok refused the shop cipher; fetching the authorized shops again", "err", err)
	if _, derr := e.rediscover(ctx, cipher); derr != nil {
		return &ShopError{Reason: "TikTok refused the shop cipher and fetching the shops again did not help", Err: errors.Join(err, derr)}
	}
	err = e.observe(call())
	if tiktok.ClassOf(err) == tiktok.ClassShopCipher {
		return &ShopError{Reason: "TikTok still refuses the shop cipher after fetching the authorized shops again; check the app's authorization in Seller Center", Err: err}
	}
	return err
}

// observe notes a call's outcome for the rate-limit wait.
func (e *Engine) observe(err error) error {
	switch tiktok.ClassOf(err) {
	case tiktok.ClassRateLimited:
		e.noteRateLimit(err)
	case "":
		if err == nil {
			e.rateLimitPassed()
		}
	}
	return err
}
