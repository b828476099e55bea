package avro_test

import (
	"fmt"

	"github.com/fjordlog/fjord/schemaregistry/avro"
)

func Example() {
	v1, _ := avro.Parse(`{"type":"record","name":"User","namespace":"com.example","fields":[
		{"name":"id","type":"long"}]}`)
	v2, err := avro.Parse(`{"type":"record","name":"com.example.User","fields":[
		{"name":"id","type":"long"},
		{"name":"email","type":"string"}]}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v2.Canonical())
	for _, inc := range avro.Check(avro.Backward, v2, []*avro.Schema{v1}) {
		fmt.Println(inc)
	}
	fmt.Println(len(avro.Check(avro.Forward, v2, []*avro.Schema{v1})))

	_, err = avro.Parse(`{"type":"record","name":"User","fields":[{"name":"id","type":"int","default":"0"}]}`)
	fmt.Println(err)
	// Output:
	// {"type":"record","name":"com.example.User","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]}
	// /fields/1: reader field "email" is missing from writer record com.example.User and has no default (new schema reading existing[0])
	// 0
	// avro: invalid schema at /fields/0/default: invalid default "0" for field "id": "0" is not an int
}
