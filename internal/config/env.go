package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// applyEnv overrides fields from OTVET_* variables. The variable name is the YAML
// path in upper case joined by "_": database.dsn is OTVET_DATABASE_DSN, and a desk's
// field is addressed by the desk's name: desks[name=sd].imap.password is
// OTVET_DESKS_SD_IMAP_PASSWORD (non-alphanumerics in the name become "_").
func applyEnv(c *Config, getenv func(string) string) error {
	return walkEnv(reflect.ValueOf(c).Elem(), "OTVET", getenv)
}

func walkEnv(v reflect.Value, prefix string, getenv func(string) string) error {
	t := v.Type()
	var errs []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if err := walkEnv(v.Field(i), prefix, getenv); err != nil {
				errs = append(errs, err.Error())
			}
			continue
		}
		if tag == "" || tag == "-" {
			continue
		}
		name := prefix + "_" + strings.ToUpper(tag)
		fv := v.Field(i)
		switch {
		case fv.Kind() == reflect.Struct:
			if err := walkEnv(fv, name, getenv); err != nil {
				errs = append(errs, err.Error())
			}
		case fv.Kind() == reflect.Slice && fv.Type().Elem() == reflect.TypeOf(Desk{}):
			for j := 0; j < fv.Len(); j++ {
				d := fv.Index(j)
				key := envKey(d.FieldByName("Name").String())
				if err := walkEnv(d, name+"_"+key, getenv); err != nil {
					errs = append(errs, err.Error())
				}
			}
		default:
			s := getenv(name)
			if s == "" {
				continue
			}
			if err := setFromString(fv, s); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", name, err))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("environment: %s", strings.Join(errs, "; "))
	}
	return nil
}

func envKey(name string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(name) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func setFromString(fv reflect.Value, s string) error {
	switch p := fv.Addr().Interface().(type) {
	case *Duration:
		d, err := parseDuration(s)
		if err != nil {
			return err
		}
		*p = Duration(d)
		return nil
	case *Size:
		n, err := parseSize(s)
		if err != nil {
			return err
		}
		*p = Size(n)
		return nil
	case *[]Secret:
		// A list of secrets: comma-separated (a key made with base64 has no comma).
		var list []Secret
		for _, v := range strings.Split(s, ",") {
			list = append(list, Secret(strings.TrimSpace(v)))
		}
		*p = list
		return nil
	case **bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		*p = &b
		return nil
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		fv.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		fv.SetBool(b)
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
	return nil
}
