package sim

import (
	"encoding/json"
	"hash/fnv"
	"slices"
	"strconv"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// searchFilter is the body of an order search (filters only; paging is in
// the query): the client's wire type plus a filter TikTok has and shipdeck
// does not send.
type searchFilter struct {
	tiktok.SearchRequest
	IsBuyerRequestCancel *bool `json:"is_buyer_request_cancel,omitempty"`
}

func (f searchFilter) hash() uint32 {
	b, _ := json.Marshal(f)
	h := fnv.New32a()
	h.Write(b)
	return h.Sum32()
}

func (f searchFilter) match(o *simOrder) bool {
	v := &o.full
	switch {
	case f.OrderStatus != "" && v.Status != f.OrderStatus,
		f.CreateTimeGE != 0 && v.CreateTime < f.CreateTimeGE,
		f.CreateTimeLT != 0 && v.CreateTime >= f.CreateTimeLT,
		f.UpdateTimeGE != 0 && v.UpdateTime < f.UpdateTimeGE,
		f.UpdateTimeLT != 0 && v.UpdateTime >= f.UpdateTimeLT,
		f.ShippingType != "" && v.ShippingType != f.ShippingType,
		f.IsBuyerRequestCancel != nil && v.IsBuyerRequestCancel != *f.IsBuyerRequestCancel:
		return false
	}
	return true
}

// searchQuery is a parsed search request.
type searchQuery struct {
	filter     searchFilter
	pageSize   int
	pageToken  string
	updateSort bool
	desc       bool
}

// paramError is a request the API refuses as malformed.
type paramError struct{ msg string }

func (e *paramError) Error() string { return e.msg }

// search answers one page. Sort keys tie-break on the numeric order id.
func (b *orderBook) search(now time.Time, q searchQuery, secret uint64) (tiktok.SearchData, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advanceLocked(now)

	fh := q.filter.hash()
	var after *pageCursor
	if q.pageToken != "" {
		c, err := decodePageToken(q.pageToken, secret)
		if err != nil || c.Filter != fh || c.UpdateSort != q.updateSort || c.Desc != q.desc {
			return tiktok.SearchData{}, &paramError{"Invalid page_token. The page_token does not match this query."}
		}
		after = &c
	}
	key := func(o *simOrder) int64 {
		if q.updateSort {
			return o.full.UpdateTime
		}
		return o.full.CreateTime
	}
	type row struct {
		o   *simOrder
		key int64
		id  uint64
	}
	var rows []row
	for _, o := range b.list {
		if q.filter.match(o) {
			id, _ := strconv.ParseUint(o.full.ID, 10, 64)
			rows = append(rows, row{o, key(o), id})
		}
	}
	cmp := func(ak int64, aid uint64, bk int64, bid uint64) int {
		c := 0
		switch {
		case ak < bk, ak == bk && aid < bid:
			c = -1
		case ak > bk, ak == bk && aid > bid:
			c = 1
		}
		if q.desc {
			c = -c
		}
		return c
	}
	slices.SortFunc(rows, func(a, b row) int { return cmp(a.key, a.id, b.key, b.id) })
	start := 0
	if after != nil {
		start, _ = slices.BinarySearchFunc(rows, *after, func(r row, c pageCursor) int {
			if cmp(r.key, r.id, c.Key, c.ID) <= 0 {
				return -1
			}
			return 1
		})
	}
	end := min(start+q.pageSize, len(rows))
	data := tiktok.SearchData{TotalCount: len(rows), Orders: make([]tiktok.Order, 0, end-start)}
	for _, r := range rows[start:end] {
		data.Orders = append(data.Orders, r.o.view())
	}
	if end < len(rows) {
		last := rows[end-1]
		data.NextPageToken = pageCursor{UpdateSort: q.updateSort, Desc: q.desc, Filter: fh, Key: last.key, ID: last.id}.encode(secret)
	}
	return data, nil
}

// detail returns the orders with the given ids, in the order asked, skipping
// unknown ones.
func (b *orderBook) detail(now time.Time, ids []string) []tiktok.Order {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advanceLocked(now)
	out := []tiktok.Order{}
	for _, id := range ids {
		if o := b.orders[id]; o != nil {
			out = append(out, o.view())
		}
	}
	return out
}
