package sync_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/sim"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// TestShopDiscovery runs a config without shop_cipher against the
// simulator's Get Authorized Shops: one shop is used and kept in the
// store; several need [shop] shop_id, and the error lists each shop's id,
// name and region; nothing is polled or stored without a shop.
func TestShopDiscovery(t *testing.T) {
	tests := []struct {
		name      string
		others    int
		shopID    string
		wantErr   []string // substrings of the poll's error; nil: it works
		wantShops int      // Get Authorized Shops calls
	}{
		{name: "one shop is used", wantShops: 1},
		{name: "several shops without shop_id", others: 2, wantShops: 1, wantErr: []string{
			"3 shops authorized this app; set [shop] shop_id",
			"7495540735365777507 (Nebula Books, US)", "7495540735365777600 (Nebula Books UK, GB)", "7495540735365777601 (Nebula Outlet, US)"}},
		{name: "several shops, shop_id picks one", others: 2, shopID: "7495540735365777507", wantShops: 1},
		{name: "shop_id not among them", others: 1, shopID: "123", wantShops: 1, wantErr: []string{
			"[shop] shop_id 123 is not among the shops", "7495540735365777600 (Nebula Books UK, GB)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, worldOptions{ordersPerDay: 200, history: 3 * 3600e9, discover: true, shopID: tt.shopID,
				simOpts: func(o *sim.Options) { o.OtherShops = tt.others }})
			defer w.close()
			res, err := w.eng.Poll(ctx)
			calls := w.sim.Counters().Marketplace.Calls
			if calls[sim.EndpointShops] != tt.wantShops {
				t.Errorf("Get Authorized Shops called %d times, want %d", calls[sim.EndpointShops], tt.wantShops)
			}
			sh, serr := w.st.Shop(ctx)
			if serr != nil {
				t.Fatal(serr)
			}
			if tt.wantErr != nil {
				if err == nil || !errors.Is(err, shipsync.ErrShopChoice) {
					t.Fatalf("poll error = %v, want a shop choice error", err)
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not say %q", err, want)
					}
				}
				if calls[sim.EndpointSearch] != 0 || sh.Cipher != "" || w.counts().Total != 0 {
					t.Errorf("without a shop: %d searches, stored cipher %q, %d orders; want none", calls[sim.EndpointSearch], sh.Cipher, w.counts().Total)
				}
				return
			}
			if err != nil {
				t.Fatalf("poll: %v", err)
			}
			if res.Seen == 0 || sh.Cipher != w.sim.Shop().ShopCipher || sh.ID != "7495540735365777507" || sh.Name != "Nebula Books" {
				t.Fatalf("after discovery: %d orders seen, stored shop %+v; want orders and the sim shop's cipher", res.Seen, sh)
			}
			// A restart uses the stored cipher: no second discovery.
			w.close()
			w.open()
			if _, err := w.eng.Poll(ctx); err != nil {
				t.Fatalf("poll after restart: %v", err)
			}
			if n := w.sim.Counters().Marketplace.Calls[sim.EndpointShops]; n != tt.wantShops {
				t.Errorf("after restart Get Authorized Shops was called %d times in all, want %d", n, tt.wantShops)
			}
		})
	}
}

// TestInvalidCipherRediscoversOnce: TikTok refusing the stored cipher
// (the shop was re-authorized) triggers one fresh Get Authorized Shops,
// the new cipher is kept, and the poll goes through.
func TestInvalidCipherRediscoversOnce(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 200, history: 3 * 3600e9, discover: true})
	defer w.close()
	if _, err := w.eng.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	old, _ := w.st.Shop(ctx)
	fresh := w.sim.RotateShopCipher()
	w.clock.Advance(5 * 60e9)
	if _, err := w.eng.Poll(ctx); err != nil {
		t.Fatalf("poll after the cipher changed: %v", err)
	}
	sh, _ := w.st.Shop(ctx)
	c := w.sim.Counters().Marketplace
	if c.Calls[sim.EndpointShops] != 2 || sh.Cipher != fresh || sh.Cipher == old.Cipher {
		t.Fatalf("shops calls %d (want 2), stored cipher %q (want the new %q)", c.Calls[sim.EndpointShops], sh.Cipher, fresh)
	}
}

// refusingCipher is a TikTok client whose order search always comes back
// "Invalid identifier", as for an app whose shop authorization is broken.
type refusingCipher struct {
	*tiktok.Client
	searches int
}

func (r *refusingCipher) SearchOrders(ctx context.Context, req tiktok.SearchRequest, tok string, n int) (tiktok.SearchData, error) {
	r.searches++
	return tiktok.SearchData{}, &tiktok.APIError{Endpoint: tiktok.EndpointSearchOrders, Code: tiktok.CodeOverloaded, Class: tiktok.ClassShopCipher,
		Message: "Invalid identifier. The shop_cipher query parameter is invalid."}
}

// TestCipherStillRefusedIsAClearError: after one re-discovery the second
// refusal stops with an error saying so; shipdeck does not loop on
// Get Authorized Shops.
func TestCipherStillRefusedIsAClearError(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, worldOptions{ordersPerDay: 50, discover: true})
	defer w.close()
	shop := w.sim.Shop()
	tt, err := tiktok.New(tiktok.Config{BaseURL: w.sim.MarketplaceURL(), AppKey: shop.AppKey, AppSecret: shop.AppSecret,
		AccessToken: shop.AccessToken, Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	mp := &refusingCipher{Client: tt}
	eng := w.engineWith(mp)
	_, err = eng.Poll(ctx)
	if !errors.Is(err, shipsync.ErrShopChoice) || !strings.Contains(err.Error(), "still refuses the shop cipher after fetching the authorized shops again") {
		t.Fatalf("poll error = %v, want the clear still-refused error", err)
	}
	if n := w.sim.Counters().Marketplace.Calls[sim.EndpointShops]; n != 2 || mp.searches != 2 {
		t.Fatalf("%d shops calls and %d searches, want 2 and 2 (one discovery, one re-discovery, one retry)", n, mp.searches)
	}
}
