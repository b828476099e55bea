module github.com/fjordlog/fjord/clients/go

go 1.26

require github.com/fjordlog/fjord/gen v0.0.0

replace github.com/fjordlog/fjord/gen => ../../gen
