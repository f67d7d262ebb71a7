module wruntime.test/go-guest

go 1.24
