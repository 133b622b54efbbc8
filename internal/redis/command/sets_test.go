package command

import "testing"

func TestSetsTranscript(t *testing.T) { runCollTranscript(t, "testdata/sets") }
