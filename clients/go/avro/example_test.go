package avro_test

import (
	"context"
	"fmt"
	"log"

	fjord "github.com/fjordlog/fjord/clients/go"
	"github.com/fjordlog/fjord/clients/go/avro"
)

const userSchema = `{"type":"record","name":"User","namespace":"com.example","fields":[
  {"name":"name","type":"string"},
  {"name":"email","type":["null","string"],"default":null}]}`

// User is the record as a Go struct: its JSON form is the Avro record's.
type User struct {
	Name  string  `json:"name"`
	Email *string `json:"email"`
}

// Produce and consume Avro values in the Confluent wire format, the schema
// registered under "users-value" on first use. (Not run: it needs a
// broker.)
func Example() {
	ctx := context.Background()
	cl, err := fjord.NewClient(ctx, fjord.SeedBrokers("127.0.0.1:9092"))
	if err != nil {
		log.Fatal(err)
	}
	defer cl.Close()
	reg := fjord.NewSchemaRegistry(cl)

	ser, err := avro.NewSerializer(reg, avro.WithSchema(userSchema))
	if err != nil {
		log.Fatal(err)
	}
	value, err := ser.Marshal(ctx, "users", User{Name: "ann"}) // or Encode(map[string]any{...}), EncodeJSON
	if err != nil {
		log.Fatal(err) // e.g. errors.Is(err, fjord.ErrIncompatibleSchema)
	}
	p, _ := fjord.NewProducer(cl)
	defer p.Close()
	if err := p.ProduceSync(ctx, &fjord.Record{Topic: "users", Value: value}); err != nil {
		log.Fatal(err)
	}

	// A reader on a newer schema gets defaults for fields old data lacks.
	de, _ := avro.NewDeserializer(reg, avro.ReaderSchema(userSchema))
	c, _ := fjord.NewConsumer(cl)
	defer c.Close()
	c.Assign("users", 0, fjord.AtStart())
	recs, _ := c.Poll(ctx)
	for _, r := range recs {
		var u User
		if err := de.Unmarshal(ctx, r.Value, &u); err != nil {
			log.Fatal(err)
		}
		fmt.Println(u.Name)
	}
}
