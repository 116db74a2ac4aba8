/**
 * The Stage-2 reply as a JSON schema, for engines that constrain decoding to a schema (web-llm's
 * `response_format`). Field names and order follow the protocol, so a constrained reply is exactly
 * what `parseStage2Output` reads. Each tool call is tied to one offered tool: its `name` is that
 * tool's name and its `arguments` that tool's parameters, so a step cannot name a tool that is not
 * offered or leave out a required argument.
 */
import type { JsonSchema, ToolDefinition } from './protocol';

/** JSON Schema as web-llm's grammar compiler (XGrammar) reads it; wider than the tool-parameter subset. */
export interface ConstraintSchema {
  type?: 'object' | 'string' | 'integer' | 'boolean' | 'array' | 'null';
  description?: string;
  properties?: Record<string, ConstraintSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: ConstraintSchema;
  anyOf?: ConstraintSchema[];
  enum?: readonly (string | number)[];
  const?: string;
  minimum?: number;
  maximum?: number;
}

export function stage2Schema(tools: readonly ToolDefinition[]): ConstraintSchema {
  const toolCall: ConstraintSchema =
    tools.length === 0 ? { type: 'object', properties: {}, additionalProperties: false } : { anyOf: tools.map(toolCallSchema) };
  return {
    type: 'object',
    properties: {
      answerable: {
        type: 'object',
        properties: { verdict: { type: 'boolean' }, reasoning: { type: 'string' } },
        required: ['verdict', 'reasoning'],
        additionalProperties: false,
      },
      final_answer: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      recommended_tools: {
        type: 'object',
        properties: {
          needed: { type: 'boolean' },
          why_no_tool: { type: 'string' },
          tool_calls: { type: 'array', items: toolCall },
        },
        required: ['needed', 'why_no_tool', 'tool_calls'],
        additionalProperties: false,
      },
    },
    required: ['answerable', 'final_answer', 'recommended_tools'],
    additionalProperties: false,
  };
}

function toolCallSchema(tool: ToolDefinition): ConstraintSchema {
  return {
    type: 'object',
    properties: {
      rationale: { type: 'string' },
      name: { type: 'string', const: tool.name },
      arguments: argumentsSchema(tool.parameters),
    },
    required: ['rationale', 'name', 'arguments'],
    additionalProperties: false,
  };
}

/** Tool parameters without `default` (a grammar cannot use it) and closed to unknown arguments. */
function argumentsSchema(schema: JsonSchema): ConstraintSchema {
  const { default: _unused, properties, items, ...rest } = schema;
  return {
    ...rest,
    ...(properties
      ? { properties: Object.fromEntries(Object.entries(properties).map(([name, value]) => [name, argumentsSchema(value)])) }
      : {}),
    ...(items ? { items: argumentsSchema(items) } : {}),
    ...(schema.type === 'object' ? { additionalProperties: false } : {}),
  };
}
