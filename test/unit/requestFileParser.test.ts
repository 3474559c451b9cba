import * as assert from 'assert';
import { parseRequestFile } from '../../src/shared/requestFile/parser';
import { splitHostPort } from '../../src/shared/requestFile/statements';
import { describeProblems, parseClean, parseStrict } from '../helpers/requestFiles';

/** The one statement of a one-line block after a connect line. */
function statementOf(line: string, connect = 'connect tcp 127.0.0.1:1') {
  const { file } = parseClean(`${connect}\n${line}\n`);
  return file.blocks[0].statements[1];
}

/** The problems of a line placed after a connect line (its line number is 2). */
function problemsOf(line: string, connect = 'connect tcp 127.0.0.1:1') {
  return parseStrict(`${connect}\n${line}\n`).problems;
}

describe('request file parser', () => {
  describe('structure', () => {
    it('reads the example of the issue: comment, variable, titled block, connect, send, expect', () => {
      const text = [
        '# a comment',
        '@host = 127.0.0.1',
        '### Seed server replies',
        'connect tcp {{host}}:8880 timeout=2000',
        'send text hello\\r\\n',
        'expect text 我是返回的数据',
        'expect closed',
      ].join('\n');
      const { file } = parseClean(text);
      assert.deepStrictEqual(file, {
        prelude: [{ kind: 'variable', line: 2, column: 1, name: 'host', value: '127.0.0.1', valueColumn: 9 }],
        blocks: [
          {
            line: 3,
            column: 1,
            title: 'Seed server replies',
            endLine: 7,
            statements: [
              {
                kind: 'connect',
                line: 4,
                column: 1,
                transport: 'tcp',
                target: '{{host}}:8880',
                targetColumn: 13,
                timeoutMs: 2000,
              },
              { kind: 'send', line: 5, column: 1, format: 'text', payload: 'hello\\r\\n', payloadColumn: 11 },
              { kind: 'expect', line: 6, column: 1, match: 'text', value: '我是返回的数据', valueColumn: 13 },
              { kind: 'expect', line: 7, column: 1, match: 'closed', value: '', valueColumn: 14 },
            ],
          },
        ],
      });
    });

    it('starts an untitled block at the first statement when the file has no ###, and ends blocks at the next ###', () => {
      const { file } = parseClean(
        'connect udp 127.0.0.1:9\nsend text a\n\n####   Second  \n# note\nconnect unix /tmp/s\n',
      );
      assert.deepStrictEqual(
        file.blocks.map((b) => [b.title, b.line, b.endLine, b.statements.length]),
        [
          ['', 1, 3, 2],
          ['Second', 4, 6, 1],
        ],
      );
    });

    it('drops blocks with nothing to run, keeping their @ lines for what follows', () => {
      const { file } = parseClean(
        '###\n@a = 1\n### only comments\n# x\n###\nconnect tcp h:1\n@b = {{a}}\n###\n@c = 2\n###\n',
      );
      assert.deepStrictEqual(
        file.prelude.map((v) => v.name),
        ['a'],
      );
      assert.strictEqual(file.blocks.length, 1);
      assert.deepStrictEqual(
        file.blocks[0].statements.map((s) => s.kind + (s.kind === 'variable' ? ` ${s.name}` : '')),
        ['connect', 'variable b', 'variable c'],
      );
    });

    it('accepts CRLF line ends and indentation, and counts columns from the line start', () => {
      const { file } = parseClean('  ### T\r\n\tconnect tcp [::1]:80\r\n    send hex 0a\r\n');
      const [connect, send] = file.blocks[0].statements;
      assert.deepStrictEqual([file.blocks[0].column, connect.column, send.column], [3, 2, 5]);
      assert.strictEqual(send.kind === 'send' && send.payloadColumn, 14);
      assert.strictEqual(send.kind === 'send' && send.payload, '0a');
    });

    it('refuses statements out of order, each at its line', () => {
      const text = [
        '### a',
        'send text x',
        'connect tcp h:1',
        'end',
        'send text y',
        'end',
        'close',
        'expect closed',
        'connect tcp h:2',
        '### b',
        'connect udp h:3',
        'end',
        'expect closed',
        'wait 5',
      ].join('\n');
      assert.deepStrictEqual(describeProblems(parseStrict(text).problems), [
        '2:1 noConnect: send needs a connect line before it in its block.',
        '5:1 afterEnd: send cannot follow end: our sending side is closed.',
        '6:1 afterEnd: end cannot follow end: our sending side is closed.',
        '8:1 afterClose: expect cannot follow close: the connection is closed.',
        '9:1 secondConnect: A block has one connect line (the first is at line 3); start another block with ### for a second connection.',
        '12:1 notForUdp: end is for stream connections (tcp, tls, unix): UDP has no connection to close.',
        '13:1 notForUdp: expect closed is for stream connections (tcp, tls, unix): UDP has no connection to close.',
      ]);
    });

    it('refuses an unknown line, and never throws on any text', () => {
      assert.deepStrictEqual(describeProblems(parseStrict('  hello world').problems), [
        '1:3 unknownLine: A line must be a comment (#), a variable (@name = value), a block (###) or start with one of connect, send, expect, wait, end, close (got "hello").',
      ]);
      for (const text of ['', '\n\n', '{{', '@', '###', 'send', 'expect', 'connect', '\u0000\uffff\ud800', 'wait']) {
        assert.doesNotThrow(() => parseRequestFile(text, { knownVariables: [] }), text);
      }
    });
  });

  describe('lines', () => {
    it('connect: every transport, options, IPv6 in brackets, Unix paths', () => {
      const { file } = parseClean(
        [
          'connect tcp 127.0.0.1:8880 timeout=2000 framing=length:2:le:offset=4:adjust=-2',
          '###',
          'connect udp [::1]:53',
          '###',
          'connect unix ./lab.sock framing=crlf',
          '###',
          'connect tls localhost:8443 servername=example.test ca=certs/ca.pem insecure=false framing=delimiter:7E',
        ].join('\n'),
      );
      assert.deepStrictEqual(
        file.blocks.map((b) => {
          const {
            line: _l,
            column: _c,
            targetColumn: _t,
            ...rest
          } = b.statements[0] as unknown as Record<string, unknown>;
          return rest;
        }),
        [
          {
            kind: 'connect',
            transport: 'tcp',
            target: '127.0.0.1:8880',
            timeoutMs: 2000,
            framing: { mode: 'length', bytes: 2, endian: 'le', offset: 4, adjust: -2, maxFrameBytes: 1048576 },
          },
          { kind: 'connect', transport: 'udp', target: '[::1]:53' },
          {
            kind: 'connect',
            transport: 'unix',
            target: './lab.sock',
            framing: { mode: 'line', eol: 'crlf', maxFrameBytes: 1048576 },
          },
          {
            kind: 'connect',
            transport: 'tls',
            target: 'localhost:8443',
            servername: 'example.test',
            ca: 'certs/ca.pem',
            insecure: false,
            framing: { mode: 'delimiter', delimiter: '7e', format: 'hex', maxFrameBytes: 1048576 },
          },
        ],
      );
      assert.deepStrictEqual(splitHostPort('[fe80::1%eth0]:80'), { host: 'fe80::1%eth0', port: '80' });
      assert.deepStrictEqual(splitHostPort('example.test:7'), { host: 'example.test', port: '7' });
      assert.strictEqual(splitHostPort('::1:80'), undefined);
      assert.strictEqual(splitHostPort('host'), undefined);
    });

    it('send: formats, options, and the payload verbatim after one space', () => {
      assert.deepStrictEqual(statementOf('send text;encoding=GBK;eol=crlf  two spaces kept  '), {
        kind: 'send',
        line: 2,
        column: 1,
        format: 'text',
        encoding: 'gbk',
        eol: 'crlf',
        payload: ' two spaces kept  ',
        payloadColumn: 33,
      });
      assert.deepStrictEqual(statementOf('send hex;checksum=crc16-modbus 01 03 00 00 00 0a'), {
        kind: 'send',
        line: 2,
        column: 1,
        format: 'hex',
        checksum: 'crc16-modbus',
        payload: '01 03 00 00 00 0a',
        payloadColumn: 32,
      });
      const b64 = statementOf('send base64;checksum=crc32;checksum-endian=le;eol=lf aGk=');
      assert.deepStrictEqual(
        [b64.kind === 'send' && b64.checksumEndian, b64.kind === 'send' && b64.eol, b64.kind === 'send' && b64.payload],
        ['le', 'lf', 'aGk='],
      );
      const empty = statementOf('send text');
      assert.strictEqual(empty.kind === 'send' && empty.payload, '');
    });

    it('expect: every kind with its options', () => {
      const cases: Array<[string, Record<string, unknown>]> = [
        [
          'expect text;within=250;encoding=gbk 你好\\r\\n',
          { match: 'text', value: '你好\\r\\n', withinMs: 250, encoding: 'gbk' },
        ],
        ['expect hex de ad be ef', { match: 'hex', value: 'de ad be ef' }],
        ['expect contains OK', { match: 'contains', value: 'OK' }],
        [
          'expect regex;capture=id,name;flags=im ^id=(\\d+) (\\w+)$',
          { match: 'regex', value: '^id=(\\d+) (\\w+)$', captures: ['id', 'name'], flags: 'im' },
        ],
        ['expect closed;within=100', { match: 'closed', value: '', withinMs: 100 }],
        ['expect silence;for=300', { match: 'silence', value: '', forMs: 300 }],
        ['expect silence', { match: 'silence', value: '' }],
      ];
      for (const [line, want] of cases) {
        const {
          kind,
          line: _l,
          column: _c,
          valueColumn: _v,
          ...rest
        } = statementOf(line) as unknown as Record<string, unknown>;
        assert.strictEqual(kind, 'expect');
        assert.deepStrictEqual(rest, want, line);
      }
    });

    it('wait, end, close and @ lines', () => {
      assert.deepStrictEqual(statementOf('wait 1500'), { kind: 'wait', line: 2, column: 1, ms: 1500 });
      assert.deepStrictEqual(statementOf('end'), { kind: 'end', line: 2, column: 1 });
      assert.deepStrictEqual(statementOf('close'), { kind: 'close', line: 2, column: 1 });
      assert.deepStrictEqual(statementOf('@greeting =hello {{$counter}} '), {
        kind: 'variable',
        line: 2,
        column: 1,
        name: 'greeting',
        value: 'hello {{$counter}}',
        valueColumn: 12,
      });
      assert.deepStrictEqual(statementOf('@empty='), {
        kind: 'variable',
        line: 2,
        column: 1,
        name: 'empty',
        value: '',
        valueColumn: 8,
      });
      assert.strictEqual(statementOf('@timeout = 2500').kind, 'variable');
    });
  });

  describe('errors, each at its column', () => {
    const cases: Array<[string, string, number, RegExp]> = [
      ['send', 'unknownFormat', 5, /^send needs a format, one of text, hex, base64 \(got ""\)\.$/],
      ['send binary 00', 'unknownFormat', 6, /got "binary"/],
      [
        'send text;checksum=crc16 x',
        'unknownChecksum',
        20,
        /^Checksum must be one of sum8, xor8, crc16-modbus, .* \(got "crc16"\)\.$/,
      ],
      [
        'send hex;checksum-endian=le 00',
        'optionNotApplicable',
        10,
        /^Option checksum-endian applies to a send with checksum= only\.$/,
      ],
      ['send hex;checksum=crc32;checksum-endian=little 00', 'unknownChecksumEndian', 41, /\(got "little"\)/],
      ['send hex;encoding=gbk 00', 'optionNotApplicable', 10, /^Option encoding applies to send text only\.$/],
      ['send text;encoding=klingon x', 'unknownEncoding', 20, /^Encoding must be one of utf8, .* \(got "klingon"\)\.$/],
      ['send text;eol=none x', 'unknownLineEnding', 15, /^Line ending must be one of lf, cr, crlf \(got "none"\)\.$/],
      [
        'send text;repeat=3 x',
        'unknownOption',
        11,
        /^Option of send must be one of encoding, eol, checksum, checksum-endian, written key=value \(got "repeat=3"\)\.$/,
      ],
      ['send text;eol=lf;eol=cr x', 'duplicateOption', 18, /^Option eol is given twice\.$/],
      ['send text;;eol=lf x', 'unknownOption', 11, /got ""/],
      [
        'expect',
        'unknownExpect',
        7,
        /^expect needs a kind, one of text, hex, contains, regex, closed, silence \(got ""\)\.$/,
      ],
      ['expect text', 'missingValue', 12, /^expect text needs a value after one space\.$/],
      ['expect closed now', 'unexpectedValue', 15, /^expect closed takes no value \(got "now"\)\.$/],
      [
        'expect hex;encoding=gbk 00',
        'unknownOption',
        12,
        /^Option of expect hex must be one of within, written key=value/,
      ],
      ['expect silence;within=5', 'unknownOption', 16, /must be one of for,/],
      [
        'expect text;within=-1 x',
        'invalidMilliseconds',
        20,
        /^The within value must be a whole number of milliseconds from 0 to 3600000 \(got "-1"\)\.$/,
      ],
      ['expect silence;for=0', 'invalidMilliseconds', 20, /from 1 to 3600000 \(got "0"\)/],
      [
        'expect regex (unclosed',
        'badRegex',
        14,
        /^The regular expression is not valid: Invalid regular expression: \/\(unclosed\|\/: Unterminated group\.$/,
      ],
      [
        'expect regex;capture=a,b (x)',
        'captureCount',
        26,
        /^capture names 2 variable\(s\) but the regular expression has 1 group\(s\)\.$/,
      ],
      ['expect regex;capture=a,9b (x)(y)', 'badVariableName', 24, /got "9b"/],
      [
        'expect regex;flags=g x',
        'invalidRegexFlags',
        20,
        /^Regex flags must be letters among imsu, each once \(got "g"\)\.$/,
      ],
      ['wait', 'missingValue', 5, /^wait needs a number of milliseconds\.$/],
      ['wait soon', 'invalidMilliseconds', 6, /The wait value/],
      ['wait 3600001', 'invalidMilliseconds', 6, /got "3600001"/],
      ['end now', 'unexpectedValue', 5, /^end takes nothing after it \(got "now"\)\.$/],
      ['@ = 1', 'badVariableName', 1, /got ""/],
      ['@9x = 1', 'badVariableName', 1, /got "9x"/],
      ['@novalue', 'badVariableLine', 1, /^A variable line is written @name = value \(got "@novalue"\)\.$/],
      ['@timeout = soon', 'invalidMilliseconds', 12, /The @timeout value/],
      ['send text {{', 'unclosedVariable', 11, /^A variable reference \{\{ must end with \}\} \(got "\{\{"\)\.$/],
      [
        'send text {{$now}}',
        'unknownBuiltin',
        11,
        /^Built-in variable must be one of \$counter, \$timestamp, \$isoTime, \$randomInt, \$uuid, \$env \(got "\$now"\)\.$/,
      ],
      ['send text {{$randomInt 5}}', 'builtinArguments', 11, /^\$randomInt takes 2 argument\(s\) \(got 1\)\.$/],
      ['send text {{$randomInt 9 2}}', 'builtinArguments', 11, /MIN below MAX \(got "9 2"\)/],
      ['send text {{$env}}', 'builtinArguments', 11, /^\$env takes 1 argument\(s\) \(got 0\)\.$/],
      ['send text {{a b}}', 'badVariableName', 11, /got "a b"/],
      ['send text {{}}', 'badVariableName', 11, /got ""/],
      [
        'send text {{nobody}}',
        'unknownVariable',
        11,
        /^Variable nobody has no value here; define it with @nobody = \.\.\. above, capture it in an earlier expect, or pass it with --var or an environment\.$/,
      ],
    ];
    for (const [line, code, column, message] of cases) {
      it(`${JSON.stringify(line)}: ${code} at column ${column}`, () => {
        const problems = problemsOf(line);
        assert.strictEqual(problems.length, 1, describeProblems(problems).join('\n'));
        const [p] = problems;
        assert.deepStrictEqual([p.line, p.column, p.error.code], [2, column, code], p.error.message);
        assert.match(p.error.message, message);
        assert.ok(p.length >= 1);
      });
    }

    const connectCases: Array<[string, string, number, RegExp]> = [
      ['connect', 'unknownTransport', 8, /^connect needs a transport, one of tcp, udp, unix, tls \(got nothing\)\.$/],
      ['connect sctp h:1', 'unknownTransport', 9, /got "sctp"/],
      ['connect tcp', 'missingTarget', 13, /^connect tcp needs HOST:PORT \(\[v6\]:PORT for IPv6\)\.$/],
      ['connect unix', 'missingTarget', 14, /^connect unix needs a socket path\.$/],
      [
        'connect tcp ::1:80',
        'badTarget',
        13,
        /^connect tcp needs HOST:PORT with a port from 1 to 65535, IPv6 in brackets as \[::1\]:PORT \(got "::1:80"\)\.$/,
      ],
      ['connect udp h:0', 'badTarget', 13, /got "h:0"/],
      ['connect tcp h:1 timeout=0', 'invalidMilliseconds', 25, /The timeout value .* from 1 to/],
      [
        'connect udp h:1 framing=line',
        'unknownOption',
        17,
        /^Option of connect udp must be one of timeout, written key=value \(got "framing=line"\)\.$/,
      ],
      ['connect tcp h:1 ca=x.pem', 'unknownOption', 17, /must be one of timeout, framing,/],
      [
        'connect tcp h:1 framing=lines',
        'invalidFraming',
        25,
        /^framing must be one of none, line, crlf, delimiter:HEX, .* \(got "lines"\)\.$/,
      ],
      ['connect tcp h:1 framing=line:bogus', 'invalidFraming', 30, /^framing has an unknown option "bogus" for line;/],
      ['connect tcp h:1 framing=length:3', 'invalidFraming', 25, /^framing\.bytes must be 1, 2 or 4/],
      ['connect tls h:1 insecure=yes', 'invalidBoolean', 26, /^insecure must be true or false \(got "yes"\)\.$/],
      ['connect tcp {{port', 'unclosedVariable', 13, /must end with/],
    ];
    for (const [line, code, column, message] of connectCases) {
      it(`${JSON.stringify(line)}: ${code} at column ${column}`, () => {
        const problems = parseStrict(line).problems;
        assert.strictEqual(problems.length, 1, describeProblems(problems).join('\n'));
        assert.deepStrictEqual([problems[0].line, problems[0].column, problems[0].error.code], [1, column, code]);
        assert.match(problems[0].error.message, message);
      });
    }
  });

  describe('variables', () => {
    it('are known after their @ line, after a capture (also in later blocks), and from outside', () => {
      const text = [
        'send text {{early}}', // line 1: before connect and before @early
        '@early = 1',
        'connect tcp {{host}}:{{port}}',
        'expect regex;capture=session (\\d+)',
        'send text {{session}} {{early}} {{$uuid}}',
        '###',
        'connect tcp h:1',
        'send text {{session}}{{later}}',
        '@later = x',
      ].join('\n');
      const problems = parseStrict(text, ['host']).problems;
      assert.deepStrictEqual(
        problems.filter((p) => p.error.code === 'unknownVariable').map((p) => [p.line, p.column, p.error.values.name]),
        [
          [1, 11, 'early'],
          [3, 22, 'port'],
          [8, 22, 'later'],
        ],
      );
    });

    it('are not checked when the caller knows nothing of the outside (parseRequestFile without knownVariables)', () => {
      assert.deepStrictEqual(parseRequestFile('connect tcp {{host}}:1').problems, []);
    });
  });
});

describe('request file problems', () => {
  it('come in line and column order, whichever check found them (unknown variables are found last)', () => {
    const text = [
      'connect tcp 127.0.0.1:1',
      'send text {{nope}}',
      'bogus here',
      'send text {{other}} and {{nope2}}',
      'connect tcp 127.0.0.1:80x',
    ].join('\n');
    assert.deepStrictEqual(
      parseRequestFile(text, { knownVariables: [] }).problems.map((p) => `${p.line}:${p.column} ${p.error.code}`),
      [
        '2:11 unknownVariable',
        '3:1 unknownLine',
        '4:11 unknownVariable',
        '4:25 unknownVariable',
        '5:1 secondConnect',
        '5:13 badTarget',
      ],
    );
  });
});

describe('request file parser: edges of numbers, ports, flags and the prelude', () => {
  const codes = (text: string) => parseStrict(text).problems.map((p) => `${p.line}:${p.column} ${p.error.code}`);

  it('takes only plain decimal milliseconds: 0x10, 1e3, 10x and x10 are refused', () => {
    for (const value of ['0x10', '1e3', '10x', 'x10']) {
      assert.deepStrictEqual(codes(`connect tcp 127.0.0.1:1\nwait ${value}\n`).length, 1, value);
    }
    assert.deepStrictEqual((statementOf('wait 0010') as { ms: number }).ms, 10);
  });

  it('refuses a port that is not plain digits in 1..65535, and accepts 65535', () => {
    for (const target of ['127.0.0.1:x80', '127.0.0.1:0', '127.0.0.1:65536', ':80', '[::1]:80x', 'x[::1]:80']) {
      assert.deepStrictEqual(
        parseStrict(`connect tcp ${target}\n`).problems.map((p) => p.error.code),
        ['badTarget'],
        target,
      );
    }
    assert.deepStrictEqual(splitHostPort('[::1]:65535'), { host: '::1', port: '65535' });
    parseClean('connect tcp 127.0.0.1:65535\n### b\nconnect tcp 127.0.0.1:1\n');
  });

  it('refuses regex flags outside the allowed letters or repeated, and keeps valid ones', () => {
    const flagCodes = (flags: string) =>
      parseStrict(`connect tcp 127.0.0.1:1\nexpect regex;flags=${flags} a\n`).problems.map((p) => p.error.code);
    assert.deepStrictEqual(flagCodes('ix'), ['invalidRegexFlags']);
    assert.deepStrictEqual(flagCodes('ii'), ['invalidRegexFlags']);
    assert.strictEqual((statementOf('expect regex;flags=i a') as { flags?: string }).flags, 'i');
  });

  it('keeps an @ line before the first statement in the prelude, not in the untitled first block', () => {
    const { file } = parseClean('@host = 127.0.0.1\nconnect tcp {{host}}:1\n');
    assert.deepStrictEqual(
      file.prelude.map((s) => [s.name, s.value]),
      [['host', '127.0.0.1']],
    );
    assert.deepStrictEqual(
      file.blocks.map((b) => b.statements.map((s) => s.kind)),
      [['connect']],
    );
  });

  it('checks the references of @ lines and expect values against the known variables', () => {
    assert.deepStrictEqual(codes('@a = {{nope}}\nconnect tcp 127.0.0.1:1\nexpect text {{gone}}\n'), [
      '1:6 unknownVariable',
      '3:13 unknownVariable',
    ]);
  });

  it('accepts a tab between a keyword and its spec, and trailing blanks after expect closed', () => {
    assert.deepStrictEqual(
      [statementOf('expect\tregex a')].map((s) => [s.kind, (s as { match: string }).match]),
      [['expect', 'regex']],
    );
    parseClean('connect tcp 127.0.0.1:1\nexpect closed  \t\n');
  });

  it('refuses an option written without = even when its name is allowed', () => {
    assert.deepStrictEqual(codes('connect tcp 127.0.0.1:1\nsend text;eol a\n'), ['2:11 unknownOption']);
  });

  it('refuses a bracketed target with a second colon after the port', () => {
    assert.deepStrictEqual(splitHostPort('[::1]:80:90'), undefined);
  });

  it('names the for option when its value is refused', () => {
    const [p] = problemsOf('expect silence;for=0');
    assert.match(p.error.message, /^The for value must be a whole number of milliseconds from 1 /);
  });

  it('reads wait on an indented line with trailing blanks, and keeps no statement for a refused wait', () => {
    assert.strictEqual((statementOf('  wait 10 \t') as { ms: number }).ms, 10);
    const { file, problems } = parseStrict('connect tcp 127.0.0.1:1\nwait x\n');
    assert.deepStrictEqual(
      [problems.map((p) => p.error.code), file.blocks[0].statements.map((s) => s.kind)],
      [['invalidMilliseconds'], ['connect']],
    );
  });

  it('refuses a name with a character outside the allowed set after valid ones', () => {
    assert.deepStrictEqual(codes('@a!b = 1\n'), ['1:1 badVariableName']);
    assert.deepStrictEqual(
      problemsOf('expect regex;capture=a!b (x)').map((p) => p.error.code),
      ['badVariableName'],
    );
  });

  it('keeps the dots of the pattern in the reason of an invalid regular expression', () => {
    const [p] = problemsOf('expect regex a.(');
    assert.strictEqual(p.error.code, 'badRegex');
    assert.match(p.error.message, /\/a\.\(\|\/: Unterminated group\.$/);
  });
});
