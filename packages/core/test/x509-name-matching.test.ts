import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesDnsSubtree } from '../src/mtls/path/match-dns-subtree.js';
import { matchesUriSubtree } from '../src/mtls/path/match-uri-subtree.js';
import { uriHost } from '../src/mtls/path/uri-host.js';

describe('URI name constraints (RFC 5280 §4.2.1.10): the host a URI constraint sees', () => {
  it('is the authority host, without userinfo or port, lower-cased', () => {
    assert.equal(uriHost('wimse://example.org/service/a'), 'example.org');
    assert.equal(uriHost('spiffe://Example.ORG/ns/a'), 'example.org');
    assert.equal(uriHost('https://user:pw@api.example.org:8443/x?y#z'), 'api.example.org');
    assert.equal(uriHost('wimse://example.org'), 'example.org');
    assert.equal(uriHost('wimse://example.org?x'), 'example.org');
  });
  it('is missing without an authority or with an IP literal, which the constraint must refuse', () => {
    assert.equal(uriHost('urn:example:ca'), undefined);
    assert.equal(uriHost('mailto:a@example.org'), undefined);
    assert.equal(uriHost('wimse:///path'), undefined);
    assert.equal(uriHost('https://192.0.2.1/x'), undefined);
    assert.equal(uriHost('https://[2001:db8::1]/x'), undefined);
  });
});

describe('URI subtrees: a host, or a domain with a leading period', () => {
  it('a host admits that host only', () => {
    assert.equal(matchesUriSubtree('example.org', 'example.org'), true);
    assert.equal(matchesUriSubtree('example.org', 'EXAMPLE.org'), true);
    assert.equal(matchesUriSubtree('a.example.org', 'example.org'), false);
    assert.equal(matchesUriSubtree('badexample.org', 'example.org'), false);
  });
  it('a domain admits hosts below it, not itself', () => {
    assert.equal(matchesUriSubtree('a.example.org', '.example.org'), true);
    assert.equal(matchesUriSubtree('a.b.example.org', '.example.org'), true);
    assert.equal(matchesUriSubtree('example.org', '.example.org'), false);
    assert.equal(matchesUriSubtree('badexample.org', '.example.org'), false);
  });
});

describe('DNS subtrees: labels added on the left', () => {
  it('admits the name and its subdomains, on label boundaries', () => {
    assert.equal(matchesDnsSubtree('example.org', 'example.org'), true);
    assert.equal(matchesDnsSubtree('a.Example.org', 'example.ORG'), true);
    assert.equal(matchesDnsSubtree('badexample.org', 'example.org'), false);
    assert.equal(matchesDnsSubtree('org', 'example.org'), false);
  });
  it('a leading period admits subdomains only; an empty base admits every name', () => {
    assert.equal(matchesDnsSubtree('a.example.org', '.example.org'), true);
    assert.equal(matchesDnsSubtree('example.org', '.example.org'), false);
    assert.equal(matchesDnsSubtree('anything.test', ''), true);
  });
});
