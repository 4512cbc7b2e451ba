using Stevedore.ApiServer.Patch;

namespace Stevedore.ApiServer.Tests.Patch;

public class JsonPatchTests
{
    // RFC 6902 appendix A, plus copy and a few pointer cases.
    [Theory]
    [InlineData("{'foo':'bar'}", "[{'op':'add','path':'/baz','value':'qux'}]", "{'baz':'qux','foo':'bar'}")]
    [InlineData("{'foo':['bar','baz']}", "[{'op':'add','path':'/foo/1','value':'qux'}]", "{'foo':['bar','qux','baz']}")]
    [InlineData("{'baz':'qux','foo':'bar'}", "[{'op':'remove','path':'/baz'}]", "{'foo':'bar'}")]
    [InlineData("{'foo':['bar','qux','baz']}", "[{'op':'remove','path':'/foo/1'}]", "{'foo':['bar','baz']}")]
    [InlineData("{'baz':'qux','foo':'bar'}", "[{'op':'replace','path':'/baz','value':'boo'}]", "{'baz':'boo','foo':'bar'}")]
    [InlineData("{'foo':{'bar':'baz','waldo':'fred'},'qux':{'corge':'grault'}}", "[{'op':'move','from':'/foo/waldo','path':'/qux/thud'}]", "{'foo':{'bar':'baz'},'qux':{'corge':'grault','thud':'fred'}}")]
    [InlineData("{'foo':['all','grass','cows','eat']}", "[{'op':'move','from':'/foo/1','path':'/foo/3'}]", "{'foo':['all','cows','eat','grass']}")]
    [InlineData("{'baz':'qux','foo':['a',2,'c']}", "[{'op':'test','path':'/baz','value':'qux'},{'op':'test','path':'/foo/1','value':2}]", "{'baz':'qux','foo':['a',2,'c']}")]
    [InlineData("{'foo':'bar'}", "[{'op':'add','path':'/child','value':{'grandchild':{}}}]", "{'foo':'bar','child':{'grandchild':{}}}")]
    [InlineData("{'foo':'bar'}", "[{'op':'add','path':'/baz','value':'qux','xyz':123}]", "{'foo':'bar','baz':'qux'}")]
    [InlineData("{'/':9,'~1':10}", "[{'op':'test','path':'/~01','value':10}]", "{'/':9,'~1':10}")]
    [InlineData("{'foo':['bar']}", "[{'op':'add','path':'/foo/-','value':['abc','def']}]", "{'foo':['bar',['abc','def']]}")]
    [InlineData("{'a':{'b':1}}", "[{'op':'copy','from':'/a','path':'/c'}]", "{'a':{'b':1},'c':{'b':1}}")]
    [InlineData("{'a/b':1,'m~n':2}", "[{'op':'replace','path':'/a~1b','value':3},{'op':'remove','path':'/m~0n'}]", "{'a/b':3}")]
    [InlineData("{'a':1}", "[{'op':'replace','path':'','value':[1]}]", "[1]")]
    [InlineData("{'metadata':{'labels':{'app':'x'}}}", "[{'op':'add','path':'/metadata/labels/tier','value':null}]", "{'metadata':{'labels':{'app':'x','tier':null}}}")]
    public void Apply_RfcExamples_ProduceExpectedDocument(string document, string patch, string expected)
    {
        var original = Json.Parse(document);
        var before = original!.ToJsonString();

        var result = JsonPatch.Apply(original, Json.Parse(patch));

        Json.Equal(expected, result);
        Assert.Equal(before, original.ToJsonString());
    }

    [Theory]
    [InlineData("{'baz':'qux'}", "[{'op':'test','path':'/baz','value':'bar'}]", PatchFailure.Unprocessable)]
    [InlineData("{'foo':'bar'}", "[{'op':'add','path':'/baz/bat','value':'qux'}]", PatchFailure.Unprocessable)]
    [InlineData("{'/':9,'~1':10}", "[{'op':'test','path':'/~01','value':'10'}]", PatchFailure.Unprocessable)]
    [InlineData("{'a':1}", "[{'op':'remove','path':'/b'}]", PatchFailure.Unprocessable)]
    [InlineData("{'a':1}", "[{'op':'replace','path':'/b','value':2}]", PatchFailure.Unprocessable)]
    [InlineData("{'a':[1]}", "[{'op':'add','path':'/a/5','value':2}]", PatchFailure.Unprocessable)]
    [InlineData("{'a':[1,2]}", "[{'op':'remove','path':'/a/01'}]", PatchFailure.Unprocessable)]
    [InlineData("{'a':{'b':1}}", "[{'op':'move','from':'/a','path':'/a/b/c'}]", PatchFailure.Unprocessable)]
    [InlineData("{'a':1}", "[{'op':'frobnicate','path':'/a'}]", PatchFailure.BadRequest)]
    [InlineData("{'a':1}", "[{'op':'add','path':'/b'}]", PatchFailure.BadRequest)]
    [InlineData("{'a':1}", "[{'op':'add','path':'b','value':1}]", PatchFailure.BadRequest)]
    [InlineData("{'a':1}", "[{'op':'add','path':'/~2','value':1}]", PatchFailure.BadRequest)]
    [InlineData("{'a':1}", "{'op':'add','path':'/b','value':1}", PatchFailure.BadRequest)]
    public void Apply_InvalidOperation_ThrowsPatchException(string document, string patch, PatchFailure failure)
    {
        var error = Assert.Throws<PatchException>(() => JsonPatch.Apply(Json.Parse(document), Json.Parse(patch)));

        Assert.Equal(failure, error.Failure);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("", new string[0])]
    [InlineData("/", new[] { "" })]
    [InlineData("/a~1b/m~0n/0", new[] { "a/b", "m~n", "0" })]
    [InlineData("/~01", new[] { "~1" })]
    public void Parse_Pointer_UnescapesTokens(string pointer, string[] tokens)
    {
        Assert.Equal(tokens, JsonPointer.Parse(pointer));
        Assert.Equal(pointer, JsonPointer.Format(tokens));
    }
}
