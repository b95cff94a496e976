package tiktok

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func BenchmarkSignSearch(b *testing.B) {
	body, _ := json.Marshal(SearchRequest{UpdateTimeGE: 1718304685, UpdateTimeLT: 1718305585})
	q := url.Values{"app_key": {testAppKey}, "timestamp": {"1718305585"}, "shop_cipher": {testCipher},
		"page_size": {"100"}, "page_token": {"aDU2dz09+/="}, "sort_field": {"update_time"}, "sort_order": {"ASC"}}
	for b.Loop() {
		Sign(testSecret, "POST", "/order/202309/orders/search", q, body, "application/json")
	}
}

func BenchmarkVerifyWebhook(b *testing.B) {
	v := &Verifier{AppKey: vectorAppKey, AppSecret: vectorAppSecret, Now: func() time.Time { return testT0 }}
	body := []byte(vectorBody)
	for b.Loop() {
		if _, err := v.Verify(context.Background(), vectorSignature, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeSearchPage decodes a full 100-order search page.
func BenchmarkDecodeSearchPage(b *testing.B) {
	data, _ := json.Marshal(SearchData{Orders: sampleOrders(100), NextPageToken: "aDU2dz09", TotalCount: 1000})
	body, _ := json.Marshal(Envelope{Code: 0, Message: "Success", RequestID: "R", Data: data})
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var out SearchData
		if _, err := decodeReply(EndpointSearchOrders, 200, http.Header{}, body, nil, testT0, &out, true); err != nil {
			b.Fatal(err)
		}
	}
}
