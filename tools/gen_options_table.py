"""Dev tool: regenerate python/numlite/model/options_table.py from the schema as the `tflite` package encodes it."""
import re, os, importlib
import tflite
d=os.path.dirname(tflite.__file__)+'/'
def union(name):
    src=open(d+name+'.py').read()
    return [(int(v),k) for k,v in re.findall(r'^\s+(\w+) = (\d+)$',src,re.M) if int(v)>0]
TY={'Int8':'b','Uint8':'B','Bool':'?','Int16':'h','Uint16':'H','Int32':'i','Uint32':'I','Int64':'q','Uint64':'Q','Float32':'f','Float64':'d'}
def fields(table):
    src=open(d+table+'.py').read()
    out=[]
    for fname,kind,fid,default in re.findall(r'def '+table+r'Add(\w+)\(builder, \w+\):\n\s+builder\.Prepend(\w+)Slot\((\d+), [^,]+, (.+?)\)\n',src):
        snake=re.sub(r'(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])','_',fname).lower()
        if kind=='UOffsetTRelative':
            m=re.search(r'def '+table+'Start'+fname+r'Vector\(builder, numElems\):\n\s+return builder.StartVector\((\d+)',src)
            if m:
                # element type from the getter
                g=re.search(r'def '+fname+r'\(self, j\):.*?number_types\.(\w+)Flags, a',src,re.S)
                t='['+(TY[g.group(1)] if g else 'T')+']'
            elif re.search(r'def '+fname+r'\(self\):\n.*?\n.*?\n\s+return self._tab.String',src):
                t='s'
            else: t='T'
            default=None
        else:
            t=TY[kind]
            default={'True':True,'False':False}.get(default, default)
            default=eval(str(default)) if not isinstance(default,bool) else default
            if t=='?': default=bool(default)
        out.append((int(fid),snake,t,default))
    out.sort()
    return out
lines=['"""Field layout of every BuiltinOptions / BuiltinOptions2 table (schema.fbs order).',
'','Each entry: union index -> (table name, ((field id, name, type code, default), ...)).',
'Type codes: struct letters for scalars (b int8, B uint8, ? bool, i int32, I uint32, q int64, f float32, ...),',
'"[x]" a vector of x, "s" a string, "T" a nested table (kept unparsed).',
'Generated from the schema by tools/gen_options_table.py; edit the schema source, not this table.','"""','']
for var,u in (('BUILTIN_OPTIONS','BuiltinOptions'),('BUILTIN_OPTIONS_2','BuiltinOptions2')):
    lines.append(f'{var} = {{')
    for v,name in union(u):
        fs=fields(name)
        lines.append(f'    {v}: ("{name}", {tuple(fs)!r}),')
    lines.append('}')
    lines.append('')
open(os.path.join(os.path.dirname(__file__),'..','python','numlite','model','options_table.py'),'w').write('\n'.join(lines))
