package server

import (
	"context"

	"google.golang.org/grpc"

	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
	wirev1 "github.com/fjordlog/fjord/gen/go/fjord/wire/v1"
)

// requestValidators maps full method names to the checks of their requests
// that need no broker state. Handlers check the rest.
var requestValidators = map[string]func(req any) error{
	fjordv1.ProduceService_Produce_FullMethodName: func(req any) error {
		r := req.(*wirev1.ProduceRequest)
		if _, err := normalizeAcks(r.GetAcks()); err != nil {
			return err
		}
		if _, err := produceTimeout(r.GetTimeoutMs()); err != nil {
			return err
		}
		if len(r.GetTopics()) == 0 {
			return errorf(ReasonInvalidRequest, "produce request has no topics")
		}
		return nil
	},
	fjordv1.FetchService_Fetch_FullMethodName: func(req any) error {
		_, _, _, err := validateFetch(req.(*fjordv1.FetchRequest))
		return err
	},
	fjordv1.FetchService_ListOffsets_FullMethodName: func(req any) error {
		return nonEmpty(len(req.(*fjordv1.ListOffsetsRequest).GetTopics()), "list offsets request has no topics")
	},
	fjordv1.AdminService_CreateTopics_FullMethodName: func(req any) error {
		return nonEmpty(len(req.(*fjordv1.CreateTopicsRequest).GetTopics()), "create topics request has no topics")
	},
	fjordv1.AdminService_DeleteTopics_FullMethodName: func(req any) error {
		return nonEmpty(len(req.(*fjordv1.DeleteTopicsRequest).GetNames()), "delete topics request has no names")
	},
	fjordv1.AdminService_DescribeTopics_FullMethodName: func(req any) error {
		return nonEmpty(len(req.(*fjordv1.DescribeTopicsRequest).GetNames()), "describe topics request has no names")
	},
	fjordv1.AdminService_DescribeConfigs_FullMethodName: func(req any) error {
		return nonEmpty(len(req.(*fjordv1.DescribeConfigsRequest).GetResources()), "describe configs request has no resources")
	},
	fjordv1.AdminService_AlterConfigs_FullMethodName: func(req any) error {
		return nonEmpty(len(req.(*fjordv1.AlterConfigsRequest).GetResources()), "alter configs request has no resources")
	},
	fjordv1.AdminService_CreatePartitions_FullMethodName: func(req any) error {
		return nonEmpty(len(req.(*fjordv1.CreatePartitionsRequest).GetTopics()), "create partitions request has no topics")
	},
	fjordv1.AdminService_DeleteRecords_FullMethodName: func(req any) error {
		return nonEmpty(len(req.(*fjordv1.DeleteRecordsRequest).GetTopics()), "delete records request has no topics")
	},
}

// checkUserWritable refuses client writes to __consumer_offsets and
// _schemas: only group coordinators and the schema registry write them.
// Clients may read and describe them.
func checkUserWritable(topic, what string) *Error {
	switch topic {
	case offsetsTopic:
		return errorf(ReasonInvalidTopic, "topic %s is internal: only group coordinators write it, so clients cannot %s it (use GroupService to commit, reset or delete offsets)", offsetsTopic, what).with("topic", topic)
	case schemasTopic:
		return errorf(ReasonInvalidTopic, "topic %s is internal: only the schema registry writes it, so clients cannot %s it (use the registry's REST API or SchemaRegistryService)", schemasTopic, what).with("topic", topic)
	}
	return nil
}

func nonEmpty(n int, msg string) error {
	if n == 0 {
		return errorf(ReasonInvalidRequest, "%s", msg)
	}
	return nil
}

// validateUnary rejects malformed requests with INVALID_ARGUMENT and an
// INVALID_REQUEST reason before the handler runs.
func validateUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if check, ok := requestValidators[info.FullMethod]; ok {
		if err := check(req); err != nil {
			return nil, toStatus(err)
		}
	}
	return handler(ctx, req)
}
