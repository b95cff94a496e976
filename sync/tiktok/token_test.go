package tiktok

import (
	"context"
	"net/http"
	"net/http/httptest"
	gosync "sync"
	"testing"
	"time"
)

func TestTokenExpiredRefreshesOnceAndRetries(t *testing.T) {
	tests := []struct {
		name   string
		expire func(*fakeTikTok)
	}{
		{"105002 expired credentials", func(f *fakeTikTok) { f.access = "ACCESS-token-stale" }},
		{"36009004 invalid access token", func(f *fakeTikTok) {
			f.fault(func(w http.ResponseWriter, r *http.Request) {
				writeEnvelope(w, 200, CodeOverloaded, "Invalid credentials. The `x-tts-access-token` header is invalid.", "REQ-1", nil)
			})
			f.access = "ACCESS-token-stale"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &stepClock{t: testT0, step: time.Second}
			fake, srv := newFakeTikTok(t, clock.Peek)
			tt.expire(fake)
			hooks := &recordingHooks{}
			var got []TokenData
			c := newTestClient(t, srv.URL, clock, func(cfg *Config) {
				cfg.BeforeSend, cfg.AfterSend = hooks.Before, hooks.After
				cfg.OnToken = func(td TokenData) { got = append(got, td) }
			})
			page, err := c.SearchOrders(WithKind(context.Background(), "poll"), SearchRequest{}, "", 20)
			if err != nil {
				t.Fatalf("SearchOrders after refresh: %v", err)
			}
			if len(page.Orders) != 3 {
				t.Errorf("got %d orders", len(page.Orders))
			}
			if fake.refreshCount() != 1 {
				t.Errorf("refreshes = %d, want 1", fake.refreshCount())
			}
			if len(got) != 1 || got[0].AccessToken != "ACCESS-token-1" || got[0].RefreshToken != "REFRESH-token-1" ||
				got[0].AccessTokenExpireIn <= testT0.Unix() {
				t.Errorf("OnToken got %+v", got)
			}
			wantCalls := []Call{
				{Endpoint: EndpointSearchOrders, Method: "POST", Path: "/order/202309/orders/search", Kind: "poll", Attempt: 1},
				{Endpoint: EndpointRefreshToken, Method: "GET", Path: refreshPath, Kind: "poll", Attempt: 1},
				{Endpoint: EndpointSearchOrders, Method: "POST", Path: "/order/202309/orders/search", Kind: "poll", Attempt: 2},
			}
			if len(hooks.before) != len(wantCalls) {
				t.Fatalf("BeforeSend calls = %+v", hooks.before)
			}
			for i, want := range wantCalls {
				if hooks.before[i] != want {
					t.Errorf("BeforeSend call %d = %+v, want %+v", i, hooks.before[i], want)
				}
			}
			if ClassOf(hooks.results[0].Err) != ClassTokenExpired || hooks.results[2].Err != nil {
				t.Errorf("AfterSend results = %+v", hooks.results)
			}

			// The retry is a new request: new token, fresh timestamp, new
			// signature, same body bytes.
			reqs := fake.apiRequests()
			if len(reqs) != 2 {
				t.Fatalf("server saw %d searches, want 2", len(reqs))
			}
			first, second := reqs[0], reqs[1]
			if second.Header.Get("x-tts-access-token") != "ACCESS-token-1" {
				t.Errorf("retry used token %q", second.Header.Get("x-tts-access-token"))
			}
			if first.Query["timestamp"][0] == second.Query["timestamp"][0] {
				t.Errorf("retry reused timestamp %s", first.Query["timestamp"][0])
			}
			if first.Query["sign"][0] == second.Query["sign"][0] {
				t.Error("retry reused the signature")
			}
			if string(first.Body) != string(second.Body) {
				t.Errorf("retry body %s differs from %s", second.Body, first.Body)
			}
			if next, _ := c.tokens(); next != "ACCESS-token-1" {
				t.Errorf("client kept token %q", next)
			}
		})
	}
}

func TestTokenStillExpiredAfterRefreshGivesUp(t *testing.T) {
	clock := &stepClock{t: testT0, step: time.Second}
	fake, srv := newFakeTikTok(t, clock.Peek)
	expired := func(w http.ResponseWriter, r *http.Request) {
		writeEnvelope(w, 200, CodeExpiredToken, "Expired credentials.", "REQ-EXP", nil)
	}
	fake.fault(expired)
	fake.fault(expired)
	fake.fault(expired)
	c := newTestClient(t, srv.URL, clock, nil)
	_, err := c.Shops(context.Background())
	if ClassOf(err) != ClassTokenExpired {
		t.Fatalf("err = %v, want token expired", err)
	}
	if fake.refreshCount() != 1 || len(fake.apiRequests()) != 2 {
		t.Errorf("refreshes %d, requests %d; want 1, 2", fake.refreshCount(), len(fake.apiRequests()))
	}
}

func TestRefreshRefusedNeedsHuman(t *testing.T) {
	clock := &stepClock{t: testT0, step: time.Second}
	fake, srv := newFakeTikTok(t, clock.Peek)
	fake.access = "ACCESS-token-stale"
	fake.refresh = "REFRESH-token-other" // ours is no longer valid
	called := false
	c := newTestClient(t, srv.URL, clock, func(cfg *Config) { cfg.OnToken = func(TokenData) { called = true } })
	_, err := c.SearchOrders(context.Background(), SearchRequest{}, "", 10)
	if ClassOf(err) != ClassNeedsHuman {
		t.Fatalf("err = %v, want needs human", err)
	}
	assertNoSecrets(t, err.Error())
	if called {
		t.Error("OnToken called after a refused refresh")
	}
	if len(fake.apiRequests()) != 1 {
		t.Errorf("server saw %d searches, want 1 (no retry)", len(fake.apiRequests()))
	}
}

func TestRefreshFailuresNeverLeakSecrets(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	clock := &stepClock{t: testT0, step: time.Second}
	tests := []struct {
		name  string
		auth  string
		fault http.HandlerFunc
		want  Class
	}{
		{"token host down", deadURL, nil, ClassTransient},
		{"token host HTML error", "", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(502)
			_, _ = w.Write([]byte("<html>bad gateway</html>"))
		}, ClassTransient},
		{"token reply without tokens", "", func(w http.ResponseWriter, r *http.Request) {
			writeEnvelope(w, 200, 0, "success", "REQ-T", TokenData{AccessTokenExpireIn: 1})
		}, ClassMalformed},
		{"token reply garbled", "", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"code":0,"data":{"access_token":"ACCESS-token-9","refresh_tok`))
		}, ClassMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, srv := newFakeTikTok(t, clock.Peek)
			if tt.fault != nil {
				fake.refreshFaults = append(fake.refreshFaults, tt.fault)
			}
			auth := tt.auth
			if auth == "" {
				auth = srv.URL
			}
			c := newTestClient(t, srv.URL, clock, func(cfg *Config) { cfg.AuthBaseURL = auth })
			_, err := c.RefreshToken(context.Background())
			if ClassOf(err) != tt.want {
				t.Fatalf("err = %v, want %s", err, tt.want)
			}
			assertNoSecrets(t, err.Error())
		})
	}
}

func TestConcurrentExpiryRefreshesOnce(t *testing.T) {
	clock := &stepClock{t: testT0, step: time.Millisecond}
	fake, srv := newFakeTikTok(t, clock.Peek)
	fake.access = "ACCESS-token-stale"
	c := newTestClient(t, srv.URL, clock, nil)
	var wg gosync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Shops(context.Background())
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if n := fake.refreshCount(); n != 1 {
		t.Errorf("refreshes = %d, want 1", n)
	}
}

func TestRefreshTokenOnDemandAndRefreshFirstWithoutAccessToken(t *testing.T) {
	clock := &stepClock{t: testT0, step: time.Second}
	fake, srv := newFakeTikTok(t, clock.Peek)
	fake.access = "ACCESS-token-none"
	c := newTestClient(t, srv.URL, clock, func(cfg *Config) { cfg.AccessToken = "" })
	if _, err := c.Shops(context.Background()); err != nil {
		t.Fatalf("Shops with only a refresh token: %v", err)
	}
	if fake.refreshCount() != 1 || len(fake.apiRequests()) != 1 {
		t.Errorf("refreshes %d, requests %d; want 1, 1", fake.refreshCount(), len(fake.apiRequests()))
	}
	td, err := c.RefreshToken(context.Background())
	if err != nil || td.AccessToken != "ACCESS-token-2" {
		t.Fatalf("RefreshToken = %+v, %v", td, err)
	}
	if _, err := c.Shops(context.Background()); err != nil {
		t.Fatalf("Shops after an explicit refresh: %v", err)
	}
}
