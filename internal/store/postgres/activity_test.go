package postgres_test

import (
	"testing"

	"github.com/hubforce/hubforce/internal/store/storetest"
)

func TestActivity(t *testing.T) {
	skipWithoutPostgres(t)
	storetest.RunActivity(t, newDatabase)
}
