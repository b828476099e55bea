from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SchemaReference(_message.Message):
    __slots__ = ("name", "subject", "version")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    name: str
    subject: str
    version: int
    def __init__(self, name: _Optional[str] = ..., subject: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class Schema(_message.Message):
    __slots__ = ("subject", "version", "id", "schema_type", "schema", "references", "deleted")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_TYPE_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    REFERENCES_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    subject: str
    version: int
    id: int
    schema_type: str
    schema: str
    references: _containers.RepeatedCompositeFieldContainer[SchemaReference]
    deleted: bool
    def __init__(self, subject: _Optional[str] = ..., version: _Optional[int] = ..., id: _Optional[int] = ..., schema_type: _Optional[str] = ..., schema: _Optional[str] = ..., references: _Optional[_Iterable[_Union[SchemaReference, _Mapping]]] = ..., deleted: _Optional[bool] = ...) -> None: ...

class SubjectVersion(_message.Message):
    __slots__ = ("subject", "version")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    subject: str
    version: int
    def __init__(self, subject: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class RegisterRequest(_message.Message):
    __slots__ = ("subject", "schema", "schema_type", "references", "normalize", "id", "version")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_TYPE_FIELD_NUMBER: _ClassVar[int]
    REFERENCES_FIELD_NUMBER: _ClassVar[int]
    NORMALIZE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    subject: str
    schema: str
    schema_type: str
    references: _containers.RepeatedCompositeFieldContainer[SchemaReference]
    normalize: bool
    id: int
    version: int
    def __init__(self, subject: _Optional[str] = ..., schema: _Optional[str] = ..., schema_type: _Optional[str] = ..., references: _Optional[_Iterable[_Union[SchemaReference, _Mapping]]] = ..., normalize: _Optional[bool] = ..., id: _Optional[int] = ..., version: _Optional[int] = ...) -> None: ...

class RegisterResponse(_message.Message):
    __slots__ = ("id", "version")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    id: int
    version: int
    def __init__(self, id: _Optional[int] = ..., version: _Optional[int] = ...) -> None: ...

class LookupSchemaRequest(_message.Message):
    __slots__ = ("subject", "schema", "schema_type", "references", "normalize", "deleted")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_TYPE_FIELD_NUMBER: _ClassVar[int]
    REFERENCES_FIELD_NUMBER: _ClassVar[int]
    NORMALIZE_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    subject: str
    schema: str
    schema_type: str
    references: _containers.RepeatedCompositeFieldContainer[SchemaReference]
    normalize: bool
    deleted: bool
    def __init__(self, subject: _Optional[str] = ..., schema: _Optional[str] = ..., schema_type: _Optional[str] = ..., references: _Optional[_Iterable[_Union[SchemaReference, _Mapping]]] = ..., normalize: _Optional[bool] = ..., deleted: _Optional[bool] = ...) -> None: ...

class LookupSchemaResponse(_message.Message):
    __slots__ = ("schema",)
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    schema: Schema
    def __init__(self, schema: _Optional[_Union[Schema, _Mapping]] = ...) -> None: ...

class GetSchemaByIDRequest(_message.Message):
    __slots__ = ("id", "subject")
    ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    id: int
    subject: str
    def __init__(self, id: _Optional[int] = ..., subject: _Optional[str] = ...) -> None: ...

class GetSchemaByIDResponse(_message.Message):
    __slots__ = ("schema",)
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    schema: Schema
    def __init__(self, schema: _Optional[_Union[Schema, _Mapping]] = ...) -> None: ...

class GetSchemaSubjectsRequest(_message.Message):
    __slots__ = ("id", "deleted")
    ID_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    id: int
    deleted: bool
    def __init__(self, id: _Optional[int] = ..., deleted: _Optional[bool] = ...) -> None: ...

class GetSchemaSubjectsResponse(_message.Message):
    __slots__ = ("subjects",)
    SUBJECTS_FIELD_NUMBER: _ClassVar[int]
    subjects: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, subjects: _Optional[_Iterable[str]] = ...) -> None: ...

class GetSchemaVersionsRequest(_message.Message):
    __slots__ = ("id", "deleted")
    ID_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    id: int
    deleted: bool
    def __init__(self, id: _Optional[int] = ..., deleted: _Optional[bool] = ...) -> None: ...

class GetSchemaVersionsResponse(_message.Message):
    __slots__ = ("versions",)
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[SubjectVersion]
    def __init__(self, versions: _Optional[_Iterable[_Union[SubjectVersion, _Mapping]]] = ...) -> None: ...

class ListSubjectsRequest(_message.Message):
    __slots__ = ("subject_prefix", "deleted", "deleted_only")
    SUBJECT_PREFIX_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    DELETED_ONLY_FIELD_NUMBER: _ClassVar[int]
    subject_prefix: str
    deleted: bool
    deleted_only: bool
    def __init__(self, subject_prefix: _Optional[str] = ..., deleted: _Optional[bool] = ..., deleted_only: _Optional[bool] = ...) -> None: ...

class ListSubjectsResponse(_message.Message):
    __slots__ = ("subjects",)
    SUBJECTS_FIELD_NUMBER: _ClassVar[int]
    subjects: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, subjects: _Optional[_Iterable[str]] = ...) -> None: ...

class ListVersionsRequest(_message.Message):
    __slots__ = ("subject", "deleted", "deleted_only")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    DELETED_ONLY_FIELD_NUMBER: _ClassVar[int]
    subject: str
    deleted: bool
    deleted_only: bool
    def __init__(self, subject: _Optional[str] = ..., deleted: _Optional[bool] = ..., deleted_only: _Optional[bool] = ...) -> None: ...

class ListVersionsResponse(_message.Message):
    __slots__ = ("versions",)
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, versions: _Optional[_Iterable[int]] = ...) -> None: ...

class GetVersionRequest(_message.Message):
    __slots__ = ("subject", "version", "deleted")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    subject: str
    version: int
    deleted: bool
    def __init__(self, subject: _Optional[str] = ..., version: _Optional[int] = ..., deleted: _Optional[bool] = ...) -> None: ...

class GetVersionResponse(_message.Message):
    __slots__ = ("schema",)
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    schema: Schema
    def __init__(self, schema: _Optional[_Union[Schema, _Mapping]] = ...) -> None: ...

class GetReferencedByRequest(_message.Message):
    __slots__ = ("subject", "version")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    subject: str
    version: int
    def __init__(self, subject: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetReferencedByResponse(_message.Message):
    __slots__ = ("ids",)
    IDS_FIELD_NUMBER: _ClassVar[int]
    ids: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, ids: _Optional[_Iterable[int]] = ...) -> None: ...

class DeleteSubjectRequest(_message.Message):
    __slots__ = ("subject", "permanent")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    PERMANENT_FIELD_NUMBER: _ClassVar[int]
    subject: str
    permanent: bool
    def __init__(self, subject: _Optional[str] = ..., permanent: _Optional[bool] = ...) -> None: ...

class DeleteSubjectResponse(_message.Message):
    __slots__ = ("versions",)
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, versions: _Optional[_Iterable[int]] = ...) -> None: ...

class DeleteVersionRequest(_message.Message):
    __slots__ = ("subject", "version", "permanent")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PERMANENT_FIELD_NUMBER: _ClassVar[int]
    subject: str
    version: int
    permanent: bool
    def __init__(self, subject: _Optional[str] = ..., version: _Optional[int] = ..., permanent: _Optional[bool] = ...) -> None: ...

class DeleteVersionResponse(_message.Message):
    __slots__ = ("version",)
    VERSION_FIELD_NUMBER: _ClassVar[int]
    version: int
    def __init__(self, version: _Optional[int] = ...) -> None: ...

class CheckCompatibilityRequest(_message.Message):
    __slots__ = ("subject", "version", "schema", "schema_type", "references", "normalize", "verbose")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_TYPE_FIELD_NUMBER: _ClassVar[int]
    REFERENCES_FIELD_NUMBER: _ClassVar[int]
    NORMALIZE_FIELD_NUMBER: _ClassVar[int]
    VERBOSE_FIELD_NUMBER: _ClassVar[int]
    subject: str
    version: int
    schema: str
    schema_type: str
    references: _containers.RepeatedCompositeFieldContainer[SchemaReference]
    normalize: bool
    verbose: bool
    def __init__(self, subject: _Optional[str] = ..., version: _Optional[int] = ..., schema: _Optional[str] = ..., schema_type: _Optional[str] = ..., references: _Optional[_Iterable[_Union[SchemaReference, _Mapping]]] = ..., normalize: _Optional[bool] = ..., verbose: _Optional[bool] = ...) -> None: ...

class CheckCompatibilityResponse(_message.Message):
    __slots__ = ("is_compatible", "messages")
    IS_COMPATIBLE_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    is_compatible: bool
    messages: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, is_compatible: _Optional[bool] = ..., messages: _Optional[_Iterable[str]] = ...) -> None: ...

class GetConfigRequest(_message.Message):
    __slots__ = ("subject", "default_to_global")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_TO_GLOBAL_FIELD_NUMBER: _ClassVar[int]
    subject: str
    default_to_global: bool
    def __init__(self, subject: _Optional[str] = ..., default_to_global: _Optional[bool] = ...) -> None: ...

class GetConfigResponse(_message.Message):
    __slots__ = ("compatibility_level", "normalize")
    COMPATIBILITY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    NORMALIZE_FIELD_NUMBER: _ClassVar[int]
    compatibility_level: str
    normalize: bool
    def __init__(self, compatibility_level: _Optional[str] = ..., normalize: _Optional[bool] = ...) -> None: ...

class SetConfigRequest(_message.Message):
    __slots__ = ("subject", "compatibility_level", "normalize")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    COMPATIBILITY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    NORMALIZE_FIELD_NUMBER: _ClassVar[int]
    subject: str
    compatibility_level: str
    normalize: bool
    def __init__(self, subject: _Optional[str] = ..., compatibility_level: _Optional[str] = ..., normalize: _Optional[bool] = ...) -> None: ...

class SetConfigResponse(_message.Message):
    __slots__ = ("compatibility_level", "normalize")
    COMPATIBILITY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    NORMALIZE_FIELD_NUMBER: _ClassVar[int]
    compatibility_level: str
    normalize: bool
    def __init__(self, compatibility_level: _Optional[str] = ..., normalize: _Optional[bool] = ...) -> None: ...

class DeleteConfigRequest(_message.Message):
    __slots__ = ("subject",)
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    subject: str
    def __init__(self, subject: _Optional[str] = ...) -> None: ...

class DeleteConfigResponse(_message.Message):
    __slots__ = ("compatibility_level",)
    COMPATIBILITY_LEVEL_FIELD_NUMBER: _ClassVar[int]
    compatibility_level: str
    def __init__(self, compatibility_level: _Optional[str] = ...) -> None: ...

class GetModeRequest(_message.Message):
    __slots__ = ("subject", "default_to_global")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_TO_GLOBAL_FIELD_NUMBER: _ClassVar[int]
    subject: str
    default_to_global: bool
    def __init__(self, subject: _Optional[str] = ..., default_to_global: _Optional[bool] = ...) -> None: ...

class GetModeResponse(_message.Message):
    __slots__ = ("mode",)
    MODE_FIELD_NUMBER: _ClassVar[int]
    mode: str
    def __init__(self, mode: _Optional[str] = ...) -> None: ...

class SetModeRequest(_message.Message):
    __slots__ = ("subject", "mode", "force")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    subject: str
    mode: str
    force: bool
    def __init__(self, subject: _Optional[str] = ..., mode: _Optional[str] = ..., force: _Optional[bool] = ...) -> None: ...

class SetModeResponse(_message.Message):
    __slots__ = ("mode",)
    MODE_FIELD_NUMBER: _ClassVar[int]
    mode: str
    def __init__(self, mode: _Optional[str] = ...) -> None: ...

class DeleteModeRequest(_message.Message):
    __slots__ = ("subject",)
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    subject: str
    def __init__(self, subject: _Optional[str] = ...) -> None: ...

class DeleteModeResponse(_message.Message):
    __slots__ = ("mode",)
    MODE_FIELD_NUMBER: _ClassVar[int]
    mode: str
    def __init__(self, mode: _Optional[str] = ...) -> None: ...

class ListSchemaTypesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListSchemaTypesResponse(_message.Message):
    __slots__ = ("schema_types",)
    SCHEMA_TYPES_FIELD_NUMBER: _ClassVar[int]
    schema_types: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, schema_types: _Optional[_Iterable[str]] = ...) -> None: ...
