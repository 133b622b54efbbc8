package command

import "testing"

func TestSortTranscript(t *testing.T) { runCollTranscript(t, "testdata/sort") }
