import Foundation
import Image2Text

/// The server's OpenAPI 3.1 document, served at `GET /openapi.json`: the template below with a property for each
/// ``GenerationOption`` added to `GenerationFields` and `ChatCompletionRequest` (where OpenAI's own is not there). `OpenAPIDocumentTests` checks that its paths are the routes the
/// server has and that its field lists are the fields ``InferenceRequest`` reads.
enum OpenAPIDocument {
    static let json: String = {
        var document = try! JSONSerialization.jsonObject(with: Data(template.utf8)) as! [String: Any]
        var components = document["components"] as! [String: Any]
        var schemas = components["schemas"] as! [String: Any]
        for name in ["GenerationFields", "ChatCompletionRequest"] {
            var fields = schemas[name] as! [String: Any]
            var properties = fields["properties"] as! [String: Any]
            for option in GenerationOption.all where properties[option.frontEndName] == nil {
                properties[option.frontEndName] = schema(of: option)
            }
            fields["properties"] = properties
            schemas[name] = fields
        }
        components["schemas"] = schemas
        document["components"] = components
        let data = try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }()

    /// The JSON schema of a generation option's field, with the bounds the server reads it with.
    private static func schema(of option: GenerationOption) -> [String: Any] {
        var schema: [String: Any] = ["description": option.summary]
        switch option.kind {
        case .integer(let optionRange):
            let range = InferenceRequest.range(of: option.frontEndName) ?? optionRange
            schema.merge(["type": "integer", "minimum": range.lowerBound, "maximum": range.upperBound]) { $1 }
        case .seed:
            schema.merge(["type": "integer", "minimum": 0, "maximum": UInt64.max]) { $1 }
        case .number(let range):
            schema["type"] = "number"
            schema["description"] = "\(option.summary) It \(range.expectation)."
            switch range {
            case .positiveFloat32:
                schema.merge(["minimum": Double(Float.leastNormalMagnitude), "maximum": Double(Float.greatestFiniteMagnitude)]) { $1 }
            case .probability: schema.merge(["exclusiveMinimum": 0, "maximum": 1]) { $1 }
            case .exponent: break
            }
        case .flag:
            schema["type"] = "boolean"
        case .choice(let words):
            let others = words.filter { !["true", "false"].contains($0) }
            schema["oneOf"] = (others.count < words.count ? [["type": "boolean"]] : []) + [["enum": others]]
        case .tokenLists:
            schema.merge(["type": "array", "items": ["type": "string"]]) { $1 }
        }
        return schema
    }

    private static let template = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "Image2Text",
        "version": "1.0.0",
        "description": "Captions, answers and classification by generation with a GIT model (transformers' GitForCausalLM). POST /v1/chat/completions and GET /v1/models speak OpenAI's API. Each other /v1 endpoint takes an image (or, for a video checkpoint, a video) as multipart/form-data (field image or video), as base64 in a JSON object, or as the raw body (Content-Type image/* or video/*) with the other fields in the query string. A server started with --api-key (or IMAGE2TEXT_API_KEY) requires Authorization: Bearer KEY on every route but /health (401 otherwise)."
      },
      "security": [ {}, { "bearerAuth": [] } ],
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
        "/v1/chat/completions": {
          "post": {
            "summary": "OpenAI's chat completions: a caption, or the answer to the message's text, for the message's image",
            "operationId": "createChatCompletion",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ChatCompletionRequest" } } } },
            "responses": {
              "200": {
                "description": "The completion; with stream true, server-sent events of chat.completion.chunk objects ending with data: [DONE]. Fields the server did not act on are named in the header X-Image2Text-Ignored-Fields, generation options without effect in X-Image2Text-Warnings.",
                "headers": {
                  "X-Image2Text-Ignored-Fields": { "schema": { "type": "string" }, "description": "Comma-separated names of the fields ignored" },
                  "X-Image2Text-Warnings": { "schema": { "type": "string" }, "description": "Generation options that have no effect as given, separated by '; '" }
                },
                "content": {
                  "application/json": { "schema": { "$ref": "#/components/schemas/ChatCompletion" } },
                  "text/event-stream": { "schema": { "type": "string", "description": "Lines 'data: ' + a ChatCompletionChunk as JSON (or an Error), each followed by a blank line; the last is 'data: [DONE]'" } }
                }
              },
              "4XX": { "$ref": "#/components/responses/Error" }, "5XX": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/v1/models": {
          "get": {
            "summary": "OpenAI's model list: the model this server loaded",
            "operationId": "listModels",
            "responses": {
              "200": { "description": "The model", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ModelList" } } } },
              "4XX": { "$ref": "#/components/responses/Error" }
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
          "Error": { "description": "The request got no result: 400 a bad field or malformed body, 401 no or a wrong API key, 403 a URL host not allowed, 404 no such path, 405 another method (Allow), 408 the upload timed out, 413 too large a body or image, 415 another Content-Type, 422 an unreadable image or video, 429 too many requests (Retry-After), 503 shutting down or timed out (Retry-After)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
        },
        "schemas": {
          "GenerationFields": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "image": { "type": "string", "description": "The image: a file part, or base64 in JSON, bare or as a data: URI (data:image/png;base64,...)" },
              "video": { "type": "string", "description": "A video, for a video checkpoint: a file part, or base64 in JSON, bare or as a data: URI" },
              "image_url": { "type": "string", "format": "uri", "description": "A base64 data: URI (data:image/png;base64,...), read as image is; any other URL is fetched only by a server started with --allow-url-host, from those hosts" },
              "question": { "type": "string" },
              "frames": { "type": "integer", "minimum": 1, "maximum": 9223372036854775807, "description": "Video frames to sample (default: the checkpoint's); at most its frame count" },
              "exif_orientation": { "type": "boolean", "description": "Apply the EXIF orientation (transformers ignores it); 1 and 0 are read as true and false" }
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
              "image": { "type": "string", "description": "The image: a file part, or base64 in JSON, bare or as a data: URI (data:image/png;base64,...)" },
              "video": { "type": "string", "description": "A video, for a video checkpoint: a file part, or base64 in JSON, bare or as a data: URI" },
              "image_url": { "type": "string", "format": "uri", "description": "A base64 data: URI (data:image/png;base64,...), read as image is; any other URL is fetched only by a server started with --allow-url-host, from those hosts" },
              "question": { "type": "string" },
              "frames": { "type": "integer", "minimum": 1, "maximum": 9223372036854775807 },
              "exif_orientation": { "type": "boolean" },
              "labels": { "type": ["array", "string"], "items": { "type": "string" }, "minItems": 1, "maxItems": 1000, "description": "A JSON array, or a repeated multipart or query field, one label each; or one string of comma-separated labels, each trimmed of spaces, as the CLI's --labels reads it" }
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
            "required": ["input", "prompt_ids", "timings"],
            "properties": {
              "input": { "type": "string", "description": "The field the media came in (image or video), or the image_url" },
              "prompt_ids": { "type": "array", "items": { "type": "integer" } },
              "sequences": { "type": "array", "items": { "$ref": "#/components/schemas/Sequence" }, "description": "Every returned sequence, best first, when num_return_sequences > 1" },
              "warnings": { "type": "array", "items": { "type": "string" }, "description": "Generation options that have no effect as given, each 'option: why' (a temperature without do_sample, a minimum length past the maximum), as transformers warns; absent when there are none" },
              "timings": { "$ref": "#/components/schemas/Timings" }
            }
          },
          "ClassificationResponse": {
            "type": "object",
            "required": ["input", "label", "ranking", "timings"],
            "properties": {
              "input": { "type": "string", "description": "The field the media came in (image or video), or the image_url" },
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
            "description": "OpenAI's error shape, on every route",
            "properties": {
              "error": {
                "type": "object",
                "required": ["message", "type", "param", "code"],
                "properties": {
                  "message": { "type": "string" },
                  "type": { "enum": ["invalid_request_error", "server_error"], "description": "invalid_request_error for 4xx, server_error for 5xx" },
                  "param": { "type": ["string", "null"], "description": "The request field at fault, as messages[0].content or temperature; null when none is" },
                  "code": { "type": "string", "examples": ["invalid_field", "invalid_api_key", "not_found", "method_not_allowed", "body_too_large", "too_many_pixels", "unreadable_image", "too_many_requests", "timeout"] }
                }
              }
            }
          },
          "ChatCompletionRequest": {
            "type": "object",
            "required": ["messages"],
            "additionalProperties": true,
            "description": "OpenAI's chat completion request. Other fields are ignored and named in X-Image2Text-Ignored-Fields; JSON null counts as not given. transformers' generation options are taken under their names (num_beams, repetition_penalty, ...).",
            "properties": {
              "messages": {
                "type": "array", "minItems": 1, "maxItems": 1,
                "description": "One user message: GIT has no chat template, so system and assistant messages are refused (400)",
                "items": {
                  "type": "object",
                  "required": ["role", "content"],
                  "properties": {
                    "role": { "const": "user" },
                    "content": {
                      "type": "array",
                      "description": "image_url parts (several: the frames of a video, for video checkpoints only) and at most one text part, the prompt GIT continues: a question for VQA checkpoints, a caption prefix for captioning ones; without text, a caption",
                      "items": {
                        "oneOf": [
                          { "type": "object", "required": ["type", "text"], "properties": { "type": { "const": "text" }, "text": { "type": "string" } } },
                          { "type": "object", "required": ["type", "image_url"], "properties": { "type": { "const": "image_url" },
                            "image_url": { "oneOf": [ { "type": "object", "required": ["url"], "properties": { "url": { "type": "string" }, "detail": { "type": "string" } } }, { "type": "string" } ],
                                           "description": "A base64 data: URI, or an http(s) URL fetched only by a server started with --allow-url-host, from those hosts; the URL alone as a string is taken too" } } }
                        ]
                      }
                    }
                  }
                }
              },
              "model": { "type": "string", "description": "Any name: the server has one model" },
              "stream": { "type": "boolean" },
              "stream_options": { "type": "object", "properties": { "include_usage": { "type": "boolean" } }, "description": "Only with stream: true" },
              "n": { "type": "integer", "minimum": 1, "maximum": 16, "description": "Choices, best first: beams when not sampling (num_beams at least n), samples when sampling" },
              "max_tokens": { "type": "integer", "minimum": 1, "maximum": 9223372036854775807, "description": "max_new_tokens" },
              "max_completion_tokens": { "type": "integer", "minimum": 1, "maximum": 9223372036854775807, "description": "max_new_tokens" },
              "temperature": { "type": "number", "minimum": 0, "maximum": 2, "description": "0 decodes greedily; above 0 samples (unless do_sample is false); absent, the server's default (greedy unless started with --do-sample)" },
              "top_p": { "type": "number", "exclusiveMinimum": 0, "maximum": 1 },
              "seed": { "type": "integer", "minimum": 0, "maximum": 18446744073709551615, "description": "The same seed gives the same samples" },
              "stop": { "oneOf": [ { "type": "string", "minLength": 1 }, { "type": "array", "maxItems": 4, "items": { "type": "string", "minLength": 1, "maxLength": 1000 } } ],
                        "description": "The reply ends before the first of these strings (finish_reason stop)" },
              "logprobs": { "type": "boolean", "description": "Each generated token's log-probability under the model's own distribution (before temperature and other processing)" },
              "top_logprobs": { "type": "integer", "minimum": 0, "maximum": 20, "description": "The most likely tokens at each position; needs logprobs" },
              "frames": { "type": "integer", "minimum": 1, "maximum": 9223372036854775807, "description": "Video frames to sample from a video, or from several images (default: all of the images, at most the checkpoint's frame count)" },
              "exif_orientation": { "type": "boolean", "description": "Apply the EXIF orientation (transformers ignores it)" }
            }
          },
          "ChatCompletion": {
            "type": "object",
            "required": ["id", "object", "created", "model", "choices", "usage"],
            "properties": {
              "id": { "type": "string" },
              "object": { "const": "chat.completion" },
              "created": { "type": "integer" },
              "model": { "type": "string" },
              "choices": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["index", "message", "logprobs", "finish_reason"],
                  "properties": {
                    "index": { "type": "integer" },
                    "message": { "type": "object", "required": ["role", "content"], "properties": { "role": { "const": "assistant" }, "content": { "type": "string" } } },
                    "logprobs": { "oneOf": [ { "type": "null" }, { "$ref": "#/components/schemas/Logprobs" } ] },
                    "finish_reason": { "enum": ["stop", "length"] }
                  }
                }
              },
              "usage": { "$ref": "#/components/schemas/Usage" }
            }
          },
          "ChatCompletionChunk": {
            "type": "object",
            "required": ["id", "object", "created", "model", "choices"],
            "properties": {
              "id": { "type": "string" },
              "object": { "const": "chat.completion.chunk" },
              "created": { "type": "integer" },
              "model": { "type": "string" },
              "choices": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["index", "delta", "logprobs", "finish_reason"],
                  "properties": {
                    "index": { "type": "integer" },
                    "delta": { "type": "object", "properties": { "role": { "const": "assistant" }, "content": { "type": "string" } } },
                    "logprobs": { "oneOf": [ { "type": "null" }, { "$ref": "#/components/schemas/Logprobs" } ] },
                    "finish_reason": { "enum": ["stop", "length", null] }
                  }
                }
              },
              "usage": { "oneOf": [ { "type": "null" }, { "$ref": "#/components/schemas/Usage" } ], "description": "With stream_options.include_usage: null, and set on a last chunk whose choices are empty" }
            }
          },
          "Usage": {
            "type": "object",
            "required": ["prompt_tokens", "completion_tokens", "total_tokens"],
            "properties": {
              "prompt_tokens": { "type": "integer", "description": "The image tokens the decoder reads (per frame, one per patch plus one) and the text prompt's tokens ([CLS] and the text)" },
              "completion_tokens": { "type": "integer", "description": "Generated tokens of every choice, the end-of-sequence token included" },
              "total_tokens": { "type": "integer" }
            }
          },
          "Logprobs": {
            "type": "object",
            "required": ["content"],
            "properties": {
              "content": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["token", "logprob", "bytes", "top_logprobs"],
                  "properties": {
                    "token": { "type": "string", "description": "The WordPiece token (## continues a word)" },
                    "logprob": { "type": "number" },
                    "bytes": { "type": "array", "items": { "type": "integer" } },
                    "top_logprobs": { "type": "array", "items": { "type": "object", "required": ["token", "logprob", "bytes"], "properties": { "token": { "type": "string" }, "logprob": { "type": "number" }, "bytes": { "type": "array", "items": { "type": "integer" } } } } }
                  }
                }
              }
            }
          },
          "ModelList": {
            "type": "object",
            "required": ["object", "data"],
            "properties": {
              "object": { "const": "list" },
              "data": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["id", "object", "created", "owned_by", "input_modalities", "output_modalities"],
                  "properties": {
                    "id": { "type": "string", "description": "The hub repository (microsoft/git-base-coco), else the checkpoint folder's name" },
                    "object": { "const": "model" },
                    "created": { "type": "integer", "description": "When the server loaded it" },
                    "owned_by": { "type": "string" },
                    "input_modalities": { "type": "array", "items": { "enum": ["text", "image", "video"] }, "description": "video for a video checkpoint (several images are frames)" },
                    "output_modalities": { "type": "array", "items": { "const": "text" } }
                  }
                }
              }
            }
          }
        },
        "securitySchemes": {
          "bearerAuth": { "type": "http", "scheme": "bearer", "description": "The server's --api-key, when it has one" }
        }
      }
    }
    """#
}
