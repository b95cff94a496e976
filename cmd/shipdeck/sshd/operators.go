package sshd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/BurntSushi/toml"
	gossh "golang.org/x/crypto/ssh"
)

// Operators is one validated, immutable reading of the operators file.
// A nil *Operators admits nobody.
type Operators struct {
	missing bool
	list    []Operator
	byFP    map[string]Operator
	// lines holds each operator's [[operator]] header line, by fingerprint,
	// for error messages about duplicates.
	lines map[string]int
}

// Lookup finds the operator who owns key, by its SHA256 fingerprint.
func (o *Operators) Lookup(key gossh.PublicKey) (Operator, bool) {
	if o == nil || key == nil {
		return Operator{}, false
	}
	return o.LookupFingerprint(gossh.FingerprintSHA256(key))
}

// LookupFingerprint finds an operator by key fingerprint ("SHA256:...").
func (o *Operators) LookupFingerprint(fp string) (Operator, bool) {
	if o == nil {
		return Operator{}, false
	}
	op, ok := o.byFP[fp]
	return op, ok
}

// All lists the operators in file order.
func (o *Operators) All() []Operator {
	if o == nil {
		return nil
	}
	return append([]Operator(nil), o.list...)
}

// Len counts the operators.
func (o *Operators) Len() int {
	if o == nil {
		return 0
	}
	return len(o.list)
}

// Missing reports that the file did not exist, so serve can tell the
// person starting it how to add the first operator.
func (o *Operators) Missing() bool { return o != nil && o.missing }

// maxOperatorsFile bounds what is read; a real file is a few kilobytes.
const maxOperatorsFile = 1 << 20

// LoadOperators reads and validates the operators file. A missing file is
// an empty set (nobody gets in) with Missing() true. Any problem is a
// *FileError naming the file and the line.
func LoadOperators(path string) (*Operators, error) {
	src, err := readOperatorsFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Operators{missing: true}, nil
	}
	if err != nil {
		return nil, err
	}
	return parseOperators(path, src)
}

func readOperatorsFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open operators file: %w", err)
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, maxOperatorsFile+1))
	if err != nil {
		return "", fmt.Errorf("read operators file %s: %w", path, err)
	}
	if len(b) > maxOperatorsFile {
		return "", &FileError{Path: path, Msg: fmt.Sprintf("larger than %d bytes; this is not an operators file", maxOperatorsFile)}
	}
	return string(b), nil
}

// fileOperator is one [[operator]] table as written.
type fileOperator struct {
	Name string `toml:"name"`
	Role string `toml:"role"`
	Key  string `toml:"key"`
}

type operatorsDoc struct {
	Operator []fileOperator `toml:"operator"`
}

// parseOperators decodes and validates src, the content of path.
func parseOperators(path, src string) (*Operators, error) {
	var doc operatorsDoc
	md, err := toml.Decode(src, &doc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &FileError{Path: path, Line: pe.Position.Line, Msg: pe.Message}
		}
		return nil, &FileError{Path: path, Msg: err.Error()}
	}
	lay := scanLayout(src)
	if und := md.Undecoded(); len(und) > 0 {
		return nil, &FileError{Path: path, Line: lay.lineOfKey(und[0]), Msg: fmt.Sprintf(
			"unknown key %q (an [[operator]] takes name, role and key)", und[0].String())}
	}
	ops := &Operators{byFP: map[string]Operator{}, lines: map[string]int{}}
	names := map[string]int{}
	for i, e := range doc.Operator {
		at := func(key string) int { return lay.lineIn(i, key) }
		fail := func(key string, err error) error {
			return &FileError{Path: path, Line: at(key), Msg: fmt.Sprintf("operator %d (%q): %v", i+1, e.Name, err), Err: errors.Unwrap(err)}
		}
		if err := checkName(e.Name); err != nil {
			return nil, fail("name", err)
		}
		if prev, dup := names[strings.ToLower(e.Name)]; dup {
			return nil, &FileError{Path: path, Line: at("name"), Err: ErrDuplicate,
				Msg: fmt.Sprintf("operator %q is named twice (also at line %d)", e.Name, prev)}
		}
		role, err := ParseRole(e.Role)
		if err != nil {
			return nil, fail("role", err)
		}
		pk, comment, err := parseKeyLine(e.Key)
		if err != nil {
			return nil, fail("key", err)
		}
		fp := gossh.FingerprintSHA256(pk)
		if other, dup := ops.byFP[fp]; dup {
			return nil, &FileError{Path: path, Line: at("key"), Err: ErrDuplicate,
				Msg: fmt.Sprintf("the key of %q already belongs to %q (line %d); each key identifies one person", e.Name, other.Name, ops.lines[fp])}
		}
		op := Operator{Name: e.Name, Role: role, Fingerprint: fp, Comment: comment}
		names[strings.ToLower(e.Name)] = at("name")
		ops.byFP[fp] = op
		ops.lines[fp] = lay.header(i)
		ops.list = append(ops.list, op)
	}
	return ops, nil
}
