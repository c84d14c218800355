/// The server's OpenAPI 3.1 document, served at `GET /openapi.json`. `OpenAPIDocumentTests` checks that its paths
/// are the routes the server has and that its field lists are the fields ``InferenceRequest`` reads.
enum OpenAPIDocument {
    static let json = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "Image2Text",
        "version": "1.0.0",
        "description": "Captions, answers and classification by generation with a GIT model (transformers' GitForCausalLM). Each /v1 endpoint takes an image (or, for a video checkpoint, a video) as multipart/form-data (field image or video), as base64 in a JSON object, or as the raw body (Content-Type image/* or video/*) with the other fields in the query string."
      },
      "paths": {
        "/v1/caption": {
          "post": {
            "summary": "Caption an image or video",
            "operationId": "caption",
            "requestBody": { "$ref": "#/components/requestBodies/Generation" },
            "responses": {
              "200": { "description": "The caption", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/GenerationResponse" } } } },
              "4XX": { "$ref": "#/components/responses/Error" }, "5XX": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/v1/answer": {
          "post": {
            "summary": "Answer a question about an image or video",
            "operationId": "answer",
            "requestBody": { "$ref": "#/components/requestBodies/Answer" },
            "responses": {
              "200": { "description": "The answer", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/GenerationResponse" } } } },
              "4XX": { "$ref": "#/components/responses/Error" }, "5XX": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/v1/classify": {
          "post": {
            "summary": "Rank labels by how likely the model is to generate each",
            "operationId": "classify",
            "requestBody": { "$ref": "#/components/requestBodies/Classification" },
            "responses": {
              "200": { "description": "The ranking", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ClassificationResponse" } } } },
              "4XX": { "$ref": "#/components/responses/Error" }, "5XX": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/health": {
          "get": {
            "summary": "Liveness and load",
            "operationId": "health",
            "responses": { "200": { "description": "The server runs", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" } } } } }
          }
        },
        "/metrics": {
          "get": {
            "summary": "Prometheus metrics",
            "operationId": "metrics",
            "responses": { "200": { "description": "Prometheus text format 0.0.4", "content": { "text/plain": { "schema": { "type": "string" } } } } }
          }
        },
        "/openapi.json": {
          "get": {
            "summary": "This document",
            "operationId": "openapi",
            "responses": { "200": { "description": "OpenAPI 3.1", "content": { "application/json": { "schema": { "type": "object" } } } } }
          }
        }
      },
      "components": {
        "requestBodies": {
          "Generation": {
            "required": true,
            "description": "Give exactly one of image, video and image_url; /v1/caption takes no question.",
            "content": {
              "multipart/form-data": { "schema": { "$ref": "#/components/schemas/GenerationFields" } },
              "application/json": { "schema": { "$ref": "#/components/schemas/GenerationFields" } },
              "image/*": { "schema": { "type": "string", "format": "binary" } },
              "video/*": { "schema": { "type": "string", "format": "binary" } }
            }
          },
          "Answer": {
            "required": true,
            "description": "Give exactly one of image, video and image_url, and question.",
            "content": {
              "multipart/form-data": { "schema": { "$ref": "#/components/schemas/AnswerFields" } },
              "application/json": { "schema": { "$ref": "#/components/schemas/AnswerFields" } },
              "image/*": { "schema": { "type": "string", "format": "binary" } },
              "video/*": { "schema": { "type": "string", "format": "binary" } }
            }
          },
          "Classification": {
            "required": true,
            "description": "Give exactly one of image, video and image_url, and labels.",
            "content": {
              "multipart/form-data": { "schema": { "$ref": "#/components/schemas/ClassificationFields" } },
              "application/json": { "schema": { "$ref": "#/components/schemas/ClassificationFields" } },
              "image/*": { "schema": { "type": "string", "format": "binary" } },
              "video/*": { "schema": { "type": "string", "format": "binary" } }
            }
          }
        },
        "responses": {
          "Error": { "description": "The request got no result: 400 a bad field or malformed body, 403 a URL host not allowed, 404 no such path, 405 another method (Allow), 408 the upload timed out, 413 too large a body or image, 415 another Content-Type, 422 an unreadable image or video, 429 too many requests (Retry-After), 503 shutting down or timed out (Retry-After)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
        },
        "schemas": {
          "GenerationFields": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "image": { "type": "string", "description": "The image: a file part, or base64 in JSON" },
              "video": { "type": "string", "description": "A video, for a video checkpoint: a file part, or base64 in JSON" },
              "image_url": { "type": "string", "format": "uri", "description": "Fetched only by a server started with --allow-url-host, from those hosts" },
              "question": { "type": "string" },
              "frames": { "type": "integer", "minimum": 1, "maximum": 9223372036854775807, "description": "Video frames to sample (default: the checkpoint's); at most its frame count" },
              "exif_orientation": { "type": "boolean", "description": "Apply the EXIF orientation (transformers ignores it)" },
              "max_new_tokens": { "type": "integer", "minimum": 1, "maximum": 9223372036854775807, "description": "A limit past the model's position table is fine when [SEP] comes first; a sequence that reaches the table's end is refused (400)" },
              "max_length": { "type": "integer", "minimum": 1, "maximum": 9223372036854775807, "description": "Prompt included; as max_new_tokens past the position table" },
              "min_new_tokens": { "type": "integer", "minimum": 0, "maximum": 9223372036854775807 },
              "min_length": { "type": "integer", "minimum": 0, "maximum": 9223372036854775807 },
              "num_beams": { "type": "integer", "minimum": 1, "maximum": 16 },
              "num_return_sequences": { "type": "integer", "minimum": 1, "maximum": 16 },
              "length_penalty": { "type": "number", "description": "Finite; zero or a normal number (not subnormal)" },
              "early_stopping": { "oneOf": [ { "type": "boolean" }, { "const": "never" } ] },
              "do_sample": { "type": "boolean" },
              "temperature": { "type": "number", "minimum": 1.1754943508222875e-38, "maximum": 3.4028234663852886e+38, "description": "A normal float32: subnormal values are refused" },
              "top_k": { "type": "integer", "minimum": 0, "maximum": 9223372036854775807, "description": "0 keeps every token; past the vocabulary size it keeps every token too" },
              "top_p": { "type": "number", "exclusiveMinimum": 0, "maximum": 1, "description": "Not subnormal" },
              "seed": { "type": "integer", "minimum": 0, "maximum": 18446744073709551615 },
              "repetition_penalty": { "type": "number", "minimum": 1.1754943508222875e-38, "maximum": 3.4028234663852886e+38, "description": "A normal float32: subnormal values are refused" },
              "no_repeat_ngram_size": { "type": "integer", "minimum": 0, "maximum": 9223372036854775807 },
              "bad_words": { "type": "array", "items": { "type": "string" } }
            }
          },
          "AnswerFields": {
            "allOf": [ { "$ref": "#/components/schemas/GenerationFields" } ],
            "required": ["question"]
          },
          "ClassificationFields": {
            "type": "object",
            "additionalProperties": false,
            "required": ["labels"],
            "properties": {
              "image": { "type": "string", "description": "The image: a file part, or base64 in JSON" },
              "video": { "type": "string", "description": "A video, for a video checkpoint: a file part, or base64 in JSON" },
              "image_url": { "type": "string", "format": "uri", "description": "Fetched only by a server started with --allow-url-host, from those hosts" },
              "question": { "type": "string" },
              "frames": { "type": "integer", "minimum": 1, "maximum": 9223372036854775807 },
              "exif_orientation": { "type": "boolean" },
              "labels": { "type": "array", "items": { "type": "string" }, "minItems": 1, "maxItems": 1000, "description": "In multipart, one part per label" }
            }
          },
          "Sequence": {
            "type": "object",
            "required": ["text", "ids", "score", "finish_reason"],
            "properties": {
              "text": { "type": "string", "description": "The decoded sequence, prompt included" },
              "ids": { "type": "array", "items": { "type": "integer" } },
              "answer": { "type": "string", "description": "/v1/answer: the generated part only" },
              "score": { "type": ["number", "null"] },
              "finish_reason": { "enum": ["eos", "length"] }
            }
          },
          "Timings": {
            "type": "object",
            "required": ["queue_seconds", "encode_seconds", "generate_seconds", "batch_size"],
            "properties": {
              "queue_seconds": { "type": "number" },
              "encode_seconds": { "type": "number" },
              "generate_seconds": { "type": "number" },
              "batch_size": { "type": "integer" }
            }
          },
          "GenerationResponse": {
            "allOf": [ { "$ref": "#/components/schemas/Sequence" } ],
            "type": "object",
            "required": ["prompt_ids", "timings"],
            "properties": {
              "prompt_ids": { "type": "array", "items": { "type": "integer" } },
              "sequences": { "type": "array", "items": { "$ref": "#/components/schemas/Sequence" }, "description": "Every returned sequence, best first, when num_return_sequences > 1" },
              "timings": { "$ref": "#/components/schemas/Timings" }
            }
          },
          "ClassificationResponse": {
            "type": "object",
            "required": ["label", "ranking", "timings"],
            "properties": {
              "label": { "type": "string" },
              "ranking": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["label", "log_probability", "probability"],
                  "properties": { "label": { "type": "string" }, "log_probability": { "type": "number" }, "probability": { "type": "number" } }
                }
              },
              "timings": { "$ref": "#/components/schemas/Timings" }
            }
          },
          "Health": {
            "type": "object",
            "required": ["status", "model", "queue_depth", "in_flight"],
            "properties": {
              "status": { "const": "ok" },
              "model": { "type": "string" },
              "queue_depth": { "type": "integer" },
              "in_flight": { "type": "integer" }
            }
          },
          "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
              "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                  "code": { "type": "string", "examples": ["invalid_field", "not_found", "method_not_allowed", "body_too_large", "too_many_pixels", "unreadable_image", "too_many_requests", "timeout"] },
                  "message": { "type": "string" }
                }
              }
            }
          }
        }
      }
    }
    """#
}
