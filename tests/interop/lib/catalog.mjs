// Checks of Heartline's built-in catalog through an official client, shared by the interop tests of
// every client and transport: the resource heartline://about (text/markdown, lists the enabled
// tools), the template heartline://tools/{name} (a tool's definition as JSON), the prompt try_tool
// (required argument `tool`) and completion of that argument.
//
// `client` is a connected SDK client, v1 (@modelcontextprotocol/sdk) or v2
// (@modelcontextprotocol/client): both have listResources, readResource, listResourceTemplates,
// listPrompts, getPrompt and complete with the same shapes.

import assert from 'node:assert/strict';
import { errorText } from './common.mjs';

export const ABOUT_URI = 'heartline://about';
export const TOOL_TEMPLATE = 'heartline://tools/{name}';
export const UNKNOWN_RESOURCE = 'heartline://no-such-resource';

/** resources/list has heartline://about; resources/read returns its markdown naming the enabled tools. */
export async function checkAboutResource(client) {
    const { resources } = await client.listResources();
    assert.ok(Array.isArray(resources), `expected resources/list to return {resources: [...]}, got ${JSON.stringify(resources)}`);
    const about = resources.find(r => r.uri === ABOUT_URI);
    assert.ok(about, `expected resources/list to contain ${ABOUT_URI}, got ${JSON.stringify(resources.map(r => r.uri))}`);
    assert.equal(about.mimeType, 'text/markdown', `expected ${ABOUT_URI} to be listed as text/markdown, got ${JSON.stringify(about)}`);
    assert.equal(typeof about.name, 'string', `expected ${ABOUT_URI} to have a name, got ${JSON.stringify(about)}`);

    const read = await client.readResource({ uri: ABOUT_URI });
    assert.ok(Array.isArray(read.contents) && read.contents.length === 1, `expected one contents entry for ${ABOUT_URI}, got ${JSON.stringify(read)}`);
    const [contents] = read.contents;
    assert.equal(contents.uri, ABOUT_URI, `expected the contents to carry uri ${ABOUT_URI}, got ${JSON.stringify(contents)}`);
    assert.equal(contents.mimeType, 'text/markdown', `expected mimeType text/markdown, got ${JSON.stringify(contents)}`);
    assert.equal(typeof contents.text, 'string', `expected text contents (not a blob), got ${JSON.stringify(contents)}`);
    assert.match(contents.text, /^# Heartline\b/, `expected the about page to start with "# Heartline", got ${JSON.stringify(contents.text)}`);
    for (const name of ['echo', 'sleep', 'now']) {
        assert.ok(contents.text.includes(`\`${name}\``), `expected the about page to name the enabled tool \`${name}\`, got ${JSON.stringify(contents.text)}`);
    }
    return contents.text;
}

/** resources/templates/list has heartline://tools/{name}; reading heartline://tools/echo gives echo's definition. */
export async function checkToolTemplate(client, listedTools) {
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.ok(Array.isArray(resourceTemplates), `expected {resourceTemplates: [...]}, got ${JSON.stringify(resourceTemplates)}`);
    const template = resourceTemplates.find(t => t.uriTemplate === TOOL_TEMPLATE);
    assert.ok(template, `expected resources/templates/list to contain ${TOOL_TEMPLATE}, got ${JSON.stringify(resourceTemplates)}`);

    const uri = 'heartline://tools/echo';
    const read = await client.readResource({ uri });
    const [contents] = read.contents ?? [];
    assert.equal(contents?.uri, uri, `expected the contents of ${uri} to carry that uri, got ${JSON.stringify(read)}`);
    assert.equal(contents.mimeType, 'application/json', `expected ${uri} as application/json, got ${JSON.stringify(contents)}`);
    let definition;
    try {
        definition = JSON.parse(contents.text);
    } catch (err) {
        assert.fail(`expected ${uri} to hold JSON (${err.message}), got ${JSON.stringify(contents.text)}`);
    }
    assert.equal(definition.name, 'echo', `expected the definition of echo, got ${contents.text}`);
    const listed = listedTools.find(t => t.name === 'echo');
    assert.deepEqual(definition.inputSchema, listed.inputSchema, `expected ${uri} to show the same inputSchema as tools/list`);
}

/** Reading a URI nobody serves is a JSON-RPC error with `expectedCode` (-32002 up to 2025-11-25, -32602 from 2026-07-28). */
export async function checkUnknownResource(client, expectedCode) {
    const uri = UNKNOWN_RESOURCE;
    let error;
    try {
        const unexpected = await client.readResource({ uri });
        assert.fail(`expected resources/read of ${uri} to fail with ${expectedCode}, got ${JSON.stringify(unexpected)}`);
    } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        error = err;
    }
    assert.equal(error?.code, expectedCode, `expected JSON-RPC error ${expectedCode} for ${uri}, got ${errorText(error)}`);
}

/** prompts/list has try_tool with its required argument; prompts/get builds the messages for echo. */
export async function checkTryToolPrompt(client) {
    const { prompts } = await client.listPrompts();
    assert.ok(Array.isArray(prompts), `expected {prompts: [...]}, got ${JSON.stringify(prompts)}`);
    const tryTool = prompts.find(p => p.name === 'try_tool');
    assert.ok(tryTool, `expected prompts/list to contain try_tool, got ${JSON.stringify(prompts.map(p => p.name))}`);
    const argument = (tryTool.arguments ?? []).find(a => a.name === 'tool');
    assert.equal(argument?.required, true, `expected try_tool to declare the required argument "tool", got ${JSON.stringify(tryTool)}`);

    const result = await client.getPrompt({ name: 'try_tool', arguments: { tool: 'echo' } });
    assert.ok(Array.isArray(result.messages) && result.messages.length >= 1, `expected messages from try_tool, got ${JSON.stringify(result)}`);
    const [first] = result.messages;
    assert.equal(first.role, 'user', `expected the first message to be the user's, got ${JSON.stringify(first)}`);
    assert.equal(first.content?.type, 'text', `expected the first message to be text, got ${JSON.stringify(first)}`);
    assert.ok(first.content.text.includes('`echo`'), `expected the prompt text to name the tool \`echo\`, got ${JSON.stringify(first.content.text)}`);
    const embedded = result.messages.find(m => m.content?.type === 'resource');
    assert.equal(
        embedded?.content.resource?.uri,
        'heartline://tools/echo',
        `expected try_tool to embed the resource heartline://tools/echo, got ${JSON.stringify(result.messages)}`
    );
    return result;
}

/** completion/complete offers tool names for try_tool's argument, best matches first. */
export async function checkCompletion(client) {
    const result = await client.complete({ ref: { type: 'ref/prompt', name: 'try_tool' }, argument: { name: 'tool', value: 'ec' } });
    const values = result?.completion?.values;
    assert.ok(Array.isArray(values), `expected {completion: {values: [...]}}, got ${JSON.stringify(result)}`);
    assert.equal(values[0], 'echo', `expected "echo" as the first completion of "ec", got ${JSON.stringify(values)}`);
    assert.ok(!values.includes('sleep'), `expected completions of "ec" not to include "sleep", got ${JSON.stringify(values)}`);
}
