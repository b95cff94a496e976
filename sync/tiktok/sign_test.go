package tiktok

import (
	"net/url"
	"testing"
)

func TestSignVectors(t *testing.T) {
	tests := []struct {
		name, secret, method, path string
		query                      url.Values
		want                       string
	}{
		{"official docs example", "e59af819cc", "GET", "/authorization/202309/shops",
			url.Values{"app_key": {"29a39d"}, "timestamp": {"1623812664"}},
			"b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"},
		{"EcomPHP test", "app_secret", "GET", "/test-api", url.Values{"foo": {"bar"}},
			"d3cb7fe11ecae942802ceeca67e7cf10120cc12f1517d45fbc1c8cfe5413c80f"},
		{"sign and access_token are not signed", "e59af819cc", "GET", "/authorization/202309/shops",
			url.Values{"app_key": {"29a39d"}, "timestamp": {"1623812664"}, "sign": {"x"}, "access_token": {"t"}},
			"b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sign(tt.secret, tt.method, tt.path, tt.query, nil, "application/json"); got != tt.want {
				t.Errorf("Sign = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestWebhookSignatureVector(t *testing.T) {
	body := `{"type":1,"tts_notification_id":"7380066284010030890","shop_id":"7495540735365777507","timestamp":1718305585,"data":{"is_on_hold_order":true,"order_id":"576653688135258178","order_status":"UNPAID","update_time":1718305585}}`
	want := "5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05"
	if got := WebhookSignature("abcdef", "123", []byte(body)); got != want {
		t.Errorf("WebhookSignature = %s, want %s", got, want)
	}
}
