package sim

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/fnv"
)

// pageCursor is where the next page starts: just after the order with sort
// key Key and numeric id ID, under one filter and sort. Keyset paging means
// a client paging a fixed result set sees every order exactly once, and an
// order whose update_time moves while paging shows up again at its new place,
// as on the real API.
type pageCursor struct {
	UpdateSort bool // sort_field update_time (else create_time)
	Desc       bool
	Filter     uint32 // hash of the filter the token was issued for
	Key        int64
	ID         uint64
}

const pageTokenLen = 28

var errBadPageToken = errors.New("invalid page_token")

// encode makes the opaque token: 28 binary bytes in standard base64, so
// tokens carry '+', '/' and '=' as TikTok's do and must be percent-encoded.
func (c pageCursor) encode(secret uint64) string {
	buf := make([]byte, pageTokenLen)
	buf[0] = 2 // version
	if c.UpdateSort {
		buf[1] = 1
	}
	if c.Desc {
		buf[2] = 1
	}
	binary.BigEndian.PutUint32(buf[3:], c.Filter)
	binary.BigEndian.PutUint64(buf[7:], uint64(c.Key))
	binary.BigEndian.PutUint64(buf[15:], c.ID)
	buf[23] = byte(c.ID>>3) ^ byte(c.Key) // filler so similar cursors look unrelated
	binary.BigEndian.PutUint32(buf[24:], tokenMAC(secret, buf[:24]))
	return base64.StdEncoding.EncodeToString(buf)
}

func decodePageToken(tok string, secret uint64) (pageCursor, error) {
	buf, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(buf) != pageTokenLen || buf[0] != 2 {
		return pageCursor{}, errBadPageToken
	}
	if binary.BigEndian.Uint32(buf[24:]) != tokenMAC(secret, buf[:24]) {
		return pageCursor{}, errBadPageToken
	}
	return pageCursor{
		UpdateSort: buf[1] == 1,
		Desc:       buf[2] == 1,
		Filter:     binary.BigEndian.Uint32(buf[3:]),
		Key:        int64(binary.BigEndian.Uint64(buf[7:])),
		ID:         binary.BigEndian.Uint64(buf[15:]),
	}, nil
}

func tokenMAC(secret uint64, b []byte) uint32 {
	h := fnv.New32a()
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], secret)
	h.Write(s[:])
	h.Write(b)
	return h.Sum32()
}
