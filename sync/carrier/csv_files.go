package carrier

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// appendLine appends v as one JSON line and fsyncs. On failure the file is
// cut back to its old length, so no torn line is left for later appends.
func appendLine(path string, v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	_, err = f.Write(line)
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		_ = f.Truncate(st.Size())
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if st.Size() == 0 {
		return syncDir(filepath.Dir(path)) // a new file's entry must be durable too
	}
	return nil
}

// jsonLine is one line of a journal file.
type jsonLine struct {
	n    int
	data []byte
}

// readLines reads a journal. A last line without a newline is a write torn
// by a crash (its caller never got success): it is cut off the file.
func readLines(path string) ([]jsonLine, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if n := len(data); n > 0 && data[n-1] != '\n' {
		keep := bytes.LastIndexByte(data, '\n') + 1
		if err := truncateSynced(path, int64(keep)); err != nil {
			return nil, fmt.Errorf("cut a torn line off %s: %w", path, err)
		}
		data = data[:keep]
	}
	var out []jsonLine
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) > 0 {
			out = append(out, jsonLine{n: i + 1, data: line})
		}
	}
	return out, nil
}

// truncateSynced cuts path to size and fsyncs it.
func truncateSynced(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeSynced writes a new file and fsyncs it.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeAtomic replaces path with data: a synced temp file renamed over it.
func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := writeSynced(tmp, data); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir fsyncs a directory so renames and new entries in it survive a
// crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// freeName returns name, or stem-N.ext for the first N that is neither
// taken nor present in dir, so a rename never replaces a file.
func freeName(dir, name string, taken func(string) bool) (string, error) {
	ext := filepath.Ext(name)
	stem := name[:len(name)-len(ext)]
	candidate := name
	for n := 2; n < 10000; n++ {
		if !taken(candidate) {
			_, err := os.Lstat(filepath.Join(dir, candidate))
			if os.IsNotExist(err) {
				return candidate, nil
			}
			if err != nil {
				return "", err
			}
		}
		candidate = fmt.Sprintf("%s-%d%s", stem, n, ext)
	}
	return "", fmt.Errorf("no free file name like %s in %s", name, dir)
}
